import { platformKey, usesEmbeddedDatabase } from './embedded-mode';

describe('usesEmbeddedDatabase: the raw environment names no database', () => {
  it.each([
    [{}, true],
    [{ DATABASE_URL: '', DB_HOST: '' }, true],
    // Only DATABASE_URL and DB_HOST name a server: the other DB_* parts alone do not.
    [{ DB_PORT: '5433', DB_NAME: 'x', DB_USER: 'u', DB_PASSWORD: 'p' }, true],
    [{ DB_HOST: '127.0.0.1' }, false],
    [{ DB_HOST: 'db.internal', DB_PORT: '6432' }, false],
    [{ DATABASE_URL: 'postgres://u@h/db' }, false],
    [{ DATABASE_URL: 'postgres://u@h/db', DB_HOST: '' }, false],
    // Production never embeds (the defaults, 127.0.0.1:5432, as before).
    [{ NODE_ENV: 'production' }, false],
    [{ NODE_ENV: 'development' }, true],
    [{ NODE_ENV: 'test' }, true],
  ])('%j → %s', (env, embedded) => {
    expect(usesEmbeddedDatabase(env)).toBe(embedded);
  });
});

describe('platformKey', () => {
  it('names the npm package of the binaries and the vendored pgvector build', () => {
    expect(platformKey('linux', 'x64')).toBe('linux-x64');
    expect(platformKey('darwin', 'arm64')).toBe('darwin-arm64');
    expect(platformKey('win32', 'x64')).toBe('windows-x64');
  });
});
