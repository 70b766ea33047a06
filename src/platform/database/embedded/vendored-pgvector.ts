import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The line for a platform with no vendored build (or none for this PostgreSQL major). */
export const BUILD_HINT = 'build it with bash scripts/build-vendored-pgvector.sh (Debian, apt), or set DATABASE_URL / DB_HOST to a PostgreSQL 15+ server with pgvector 0.8+';

/** `SHA256SUMS` as sha256sum writes it (`<hex>  <path>`, or `<hex> *<path>`) → path to hex digest. */
export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (match) sums.set(match[2], match[1]);
  }
  return sums;
}

/** `BUILD-INFO`: one `key value` a line. */
export function parseBuildInfo(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .map((line) => /^(\S+)\s+(.*)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Where a vendored file goes in the package's native folder: `lib/x` → `lib/postgresql/x`, `extension/x` → `share/postgresql/extension/x`. */
export function installPath(nativeDir: string, file: string): string {
  const [folder, ...rest] = file.split('/');
  if (folder === 'lib') return join(nativeDir, 'lib', 'postgresql', ...rest);
  if (folder === 'extension') return join(nativeDir, 'share', 'postgresql', 'extension', ...rest);
  throw new Error(`unexpected file in the vendored pgvector build: ${file}`);
}

/**
 * Copies the vendored pgvector build (`vendor/pgvector/<platform>-<arch>/`) into the embedded
 * PostgreSQL's folders where a file is missing or differs; returns the files copied. Every file
 * copied must match `SHA256SUMS`, and the build must be for the server's major version; otherwise,
 * or with no build for this platform, one line says what to do.
 */
export function installVendoredPgvector(buildDir: string, nativeDir: string, postgresMajor: number): string[] {
  const sumsFile = join(buildDir, 'SHA256SUMS');
  if (!existsSync(sumsFile)) throw new Error(`no pgvector build for the embedded PostgreSQL in ${buildDir}: ${BUILD_HINT}`);
  const info = existsSync(join(buildDir, 'BUILD-INFO')) ? parseBuildInfo(readFileSync(join(buildDir, 'BUILD-INFO'), 'utf8')) : new Map<string, string>();
  const builtFor = Number(info.get('postgresql-major'));
  if (builtFor !== postgresMajor) {
    throw new Error(`the pgvector build in ${buildDir} is for PostgreSQL ${builtFor || '?'}, the embedded server is ${postgresMajor}: ${BUILD_HINT}`);
  }
  const copied: string[] = [];
  for (const [file, digest] of parseChecksums(readFileSync(sumsFile, 'utf8'))) {
    const target = installPath(nativeDir, file);
    if (existsSync(target) && sha256File(target) === digest) continue;
    const source = join(buildDir, file);
    if (!existsSync(source) || sha256File(source) !== digest) {
      throw new Error(`${relative(process.cwd(), source) || source} is missing or does not match its checksum in ${sumsFile}: restore it (git checkout vendor/pgvector) or ${BUILD_HINT}`);
    }
    // A copy under another name, then a rename: another process never loads half a file.
    const partial = `${target}.${process.pid}.partial`;
    try {
      copyFileSync(source, partial);
      chmodSync(partial, file.endsWith('.so') ? 0o755 : 0o644);
      renameSync(partial, target);
    } catch (error) {
      rmSync(partial, { force: true });
      throw new Error(`could not install pgvector into the embedded PostgreSQL (${(error as Error).message}): make ${nativeDir} writable, or set DATABASE_URL / DB_HOST`);
    }
    copied.push(file);
  }
  return copied;
}
