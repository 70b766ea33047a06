import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPath, installVendoredPgvector, parseBuildInfo, parseChecksums } from './vendored-pgvector';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('parseChecksums', () => {
  it('reads sha256sum output (text and binary mode), skipping anything else', () => {
    const text = `${sha('a')}  lib/vector.so\n${sha('b')} *extension/vector.control\n\nnot a checksum line\n${'0'.repeat(63)}  short.sql\n`;
    expect([...parseChecksums(text)]).toEqual([
      ['lib/vector.so', sha('a')],
      ['extension/vector.control', sha('b')],
    ]);
  });
});

describe('parseBuildInfo', () => {
  it('reads `key value` lines', () => {
    const info = parseBuildInfo('pgvector 0.8.0\npostgresql-major 15\nbuilt-on Debian GNU/Linux 12 (bookworm) x86_64\n');
    expect(info.get('pgvector')).toBe('0.8.0');
    expect(info.get('postgresql-major')).toBe('15');
    expect(info.get('built-on')).toBe('Debian GNU/Linux 12 (bookworm) x86_64');
  });
});

describe('installPath', () => {
  it('puts the library in lib/postgresql and the rest in share/postgresql/extension', () => {
    expect(installPath('/n', 'lib/vector.so')).toBe(join('/n', 'lib', 'postgresql', 'vector.so'));
    expect(installPath('/n', 'extension/vector--0.8.0.sql')).toBe(join('/n', 'share', 'postgresql', 'extension', 'vector--0.8.0.sql'));
    expect(() => installPath('/n', 'bin/evil')).toThrow(/unexpected file/);
  });
});

describe('installVendoredPgvector', () => {
  let root: string;
  let build: string;
  let native: string;
  const files = { 'lib/vector.so': 'ELF…', 'extension/vector.control': "default_version = '0.8.0'", 'extension/vector--0.8.0.sql': 'CREATE TYPE vector;' };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'pgvector-spec-'));
    build = join(root, 'vendor', 'linux-x64');
    native = join(root, 'native');
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(build, file, '..'), { recursive: true });
      writeFileSync(join(build, file), text);
    }
    writeFileSync(join(build, 'SHA256SUMS'), Object.entries(files).map(([file, text]) => `${sha(text)}  ${file}\n`).join(''));
    writeFileSync(join(build, 'BUILD-INFO'), 'pgvector 0.8.0\npostgresql-major 15\n');
    mkdirSync(join(native, 'lib', 'postgresql'), { recursive: true });
    mkdirSync(join(native, 'share', 'postgresql', 'extension'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('copies every file where it is missing, the library executable; then nothing more', () => {
    expect(installVendoredPgvector(build, native, 15).sort()).toEqual(Object.keys(files).sort());
    expect(readFileSync(join(native, 'share', 'postgresql', 'extension', 'vector.control'), 'utf8')).toBe(files['extension/vector.control']);
    expect(statSync(join(native, 'lib', 'postgresql', 'vector.so')).mode & 0o777).toBe(0o755);
    expect(installVendoredPgvector(build, native, 15)).toEqual([]);
  });

  it('replaces an installed file that differs', () => {
    installVendoredPgvector(build, native, 15);
    writeFileSync(join(native, 'lib', 'postgresql', 'vector.so'), 'an older build');
    expect(installVendoredPgvector(build, native, 15)).toEqual(['lib/vector.so']);
    expect(readFileSync(join(native, 'lib', 'postgresql', 'vector.so'), 'utf8')).toBe(files['lib/vector.so']);
  });

  it('refuses a vendored file that does not match SHA256SUMS, and copies none of it', () => {
    writeFileSync(join(build, 'lib', 'vector.so'), 'tampered');
    expect(() => installVendoredPgvector(build, native, 15)).toThrow(/vector\.so is missing or does not match its checksum .*SHA256SUMS: restore it/);
    expect(existsSync(join(native, 'lib', 'postgresql', 'vector.so'))).toBe(false);
  });

  it('no build for this platform, or one for another PostgreSQL major: one line saying to build it or to set DATABASE_URL', () => {
    expect(() => installVendoredPgvector(join(root, 'vendor', 'darwin-arm64'), native, 15)).toThrow(
      /^no pgvector build for the embedded PostgreSQL in .*darwin-arm64: build it with bash scripts\/build-vendored-pgvector\.sh .*, or set DATABASE_URL \/ DB_HOST/,
    );
    expect(() => installVendoredPgvector(build, native, 16)).toThrow(/is for PostgreSQL 15, the embedded server is 16: build it/);
  });
});

describe('the committed linux-x64 build', () => {
  it('matches its SHA256SUMS and is for PostgreSQL 15', () => {
    const build = join(__dirname, '..', '..', '..', '..', 'vendor', 'pgvector', 'linux-x64');
    const sums = parseChecksums(readFileSync(join(build, 'SHA256SUMS'), 'utf8'));
    expect([...sums.keys()]).toEqual(expect.arrayContaining(['lib/vector.so', 'extension/vector.control', 'extension/vector--0.8.0.sql']));
    for (const [file, digest] of sums) expect({ file, digest: createHash('sha256').update(readFileSync(join(build, file))).digest('hex') }).toEqual({ file, digest });
    expect(parseBuildInfo(readFileSync(join(build, 'BUILD-INFO'), 'utf8')).get('postgresql-major')).toBe('15');
  });
});
