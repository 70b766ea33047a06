/** What PostgreSQL's `postmaster.pid` says about the server that holds a data directory. */
export interface PostmasterPid {
  pid: number;
  dataDir: string;
  port: number;
  /** `starting`, `stopping`, `ready` or `standby`; empty on servers that do not write it. */
  status: string;
}

/**
 * Parses `postmaster.pid`: line 1 the postmaster's pid, 2 the data directory, 3 the start time, 4 the
 * port, 5 the socket directory, 6 the listen address, 7 the shared memory key, 8 the status. A file
 * still being written (or not a server's: a negative pid is a single-user backend's) gives undefined.
 */
export function parsePostmasterPid(text: string): PostmasterPid | undefined {
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  return { pid, dataDir: (lines[1] ?? '').trim(), port, status: (lines[7] ?? '').trim() };
}
