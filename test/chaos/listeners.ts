/**
 * LISTEN connections per process, from pg_stat_activity. A connection is attributed to a process
 * by its application_name when that carries the pid (`cognition-os-listener:<pid>`), otherwise by
 * its client port: the process's sockets (/proc/<pid>/fd) and /proc/net/tcp say which local port
 * belongs to which process. When neither works, only the total is known.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { PrivateCluster } from './cluster';

export const LISTENER_PREFIX = 'cognition-os-listener';

export interface ListenerSample {
  at: number;
  total: number;
  /** Connections whose application_name carries a pid suffix. */
  named: number;
  /** Keyed by label (role and pid, e.g. `api-1 (pid 123)`); `unattributed` for the rest. */
  perProcess: Record<string, number>;
  perRole: Record<string, number>;
  unattributed: number;
  /** All connections (any application_name) per role, for context. */
  connectionsPerRole: Record<string, number>;
}

/** Local TCP port → socket inode, for connections to `remotePort`. */
function socketsTo(remotePort: number): Map<number, string> {
  const byPort = new Map<number, string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const local = parseInt(cols[1].split(':')[1], 16);
      const remote = parseInt(cols[2].split(':')[1], 16);
      if (remote === remotePort) byPort.set(local, cols[9]);
    }
  }
  return byPort;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        /* fd closed meanwhile */
      }
    }
  } catch {
    /* process gone or /proc unavailable */
  }
  return inodes;
}

export async function sampleListeners(cluster: PrivateCluster, database: string, processes: Map<number, string>, at: number): Promise<ListenerSample> {
  const rows = await cluster.query<{ application_name: string; client_port: number | null }>(
    `SELECT application_name, client_port FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    [database],
  );
  const ports = socketsTo(cluster.port);
  const inodeOwner = new Map<string, number>();
  for (const pid of processes.keys()) for (const inode of socketInodes(pid)) inodeOwner.set(inode, pid);
  const ownerOf = (row: { application_name: string; client_port: number | null }): number | null => {
    const suffix = new RegExp(`^${LISTENER_PREFIX}:(\\d+)$`).exec(row.application_name);
    if (suffix) return Number(suffix[1]);
    const inode = row.client_port == null ? undefined : ports.get(row.client_port);
    return inode === undefined ? null : (inodeOwner.get(inode) ?? null);
  };
  const sample: ListenerSample = { at, total: 0, named: 0, perProcess: {}, perRole: {}, unattributed: 0, connectionsPerRole: {} };
  for (const label of processes.values()) {
    sample.perRole[label] = 0;
    sample.connectionsPerRole[label] = 0;
  }
  for (const row of rows) {
    const owner = ownerOf(row);
    const role = owner === null ? undefined : processes.get(owner);
    if (role) sample.connectionsPerRole[role] += 1;
    if (!row.application_name.startsWith(LISTENER_PREFIX)) continue;
    sample.total += 1;
    if (row.application_name !== LISTENER_PREFIX) sample.named += 1;
    if (owner === null || !role) {
      sample.unattributed += 1;
      continue;
    }
    const label = `${role} (pid ${owner})`;
    sample.perProcess[label] = (sample.perProcess[label] ?? 0) + 1;
    sample.perRole[role] += 1;
  }
  return sample;
}

export function formatListeners(s: ListenerSample | undefined): string {
  if (!s) return 'not measured';
  const roles = Object.entries(s.perRole).map(([role, n]) => `${role} ${n}`);
  if (roles.length === 0) return `no process running (total ${s.total})`;
  return `${roles.join(', ')}${s.unattributed ? `, unattributed ${s.unattributed}` : ''} (total ${s.total})`;
}
