import { graphileWorkerEntries } from './graphile-worker';
import { pgBossEntries } from './pg-boss';
import { recreateDatabase, pgAdminConfig } from '../support/postgres';
import { nowMs } from './measure';
async function main() {
  const id = process.argv[2]; const c = Number(process.argv[3] ?? 10);
  const entry = [...graphileWorkerEntries, ...pgBossEntries].find(e => e.id === id)!;
  const name = 'cognition_os_bench_trace';
  await recreateDatabase(name);
  const e = entry.create();
  await e.setup({ db: { name, connectionString: `postgres://postgres@127.0.0.1:5432/${name}`, config: { host: '127.0.0.1', port: 5432, user: 'postgres', database: name } }, concurrency: c });
  let t0 = 0;
  const origTick = require('./measure').Countdown.prototype.tick;
  let last = 0; const marks: string[] = [];
  require('./measure').Countdown.prototype.tick = function (n = 1) { origTick.call(this, n); const t = nowMs() - t0; if (t - last > 200) { marks.push(`${t.toFixed(0)}ms:${this.count}`); last = t; } };
  const timing = { start() { t0 = nowMs(); }, stop() { console.log('done', (nowMs() - t0).toFixed(0), 'ms'); } };
  await e.chains(Number(process.argv[4] ?? 200), 10, timing);
  console.log(marks.join(' '));
  await e.teardown();
}
main().then(() => process.exit(0));
