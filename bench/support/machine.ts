/** What the benchmark ran on, printed with every result (absolute numbers vary between machines). */
import { cpus, release, totalmem, type } from 'node:os';
import { postgresVersion } from './postgres';

export interface MachineInfo {
  os: string;
  cpuModel: string;
  cpuCount: number;
  totalMemoryGiB: number;
  node: string;
  postgres: string;
}

export async function machineInfo(): Promise<MachineInfo> {
  const list = cpus();
  return {
    os: `${type()} ${release()}`,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpuCount: list.length,
    totalMemoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    postgres: await postgresVersion(),
  };
}

export function formatMachine(m: MachineInfo): string {
  return [
    `- OS: ${m.os}`,
    `- CPU: ${m.cpuModel} × ${m.cpuCount}`,
    `- Memory: ${m.totalMemoryGiB} GiB`,
    `- Node: ${m.node}`,
    `- PostgreSQL: ${m.postgres}`,
  ].join('\n');
}
