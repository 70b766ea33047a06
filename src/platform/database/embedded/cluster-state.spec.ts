import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, isLiveUser, lockFile, readState, writeState } from './cluster-state';

/** A pid that is certainly not running: a child that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', 'process.pid']).pid!;

describe('cluster state', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cluster-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes and reads the state (mode 0600); no file: undefined', () => {
    expect(readState(dir)).toBeUndefined();
    writeState(dir, { password: 'pw', port: 40000, users: [1, 2] });
    expect(readState(dir)).toEqual({ password: 'pw', port: 40000, users: [1, 2] });
  });

  it('isAlive and isLiveUser: this process is, an exited one is not', () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isLiveUser(process.pid)).toBe(true);
    const dead = deadPid();
    expect(isAlive(dead)).toBe(false);
    expect(isLiveUser(dead)).toBe(false);
  });

  it('lockFile: holds the file with our pid, and frees it', () => {
    const file = join(dir, 'pg.lock');
    const unlock = lockFile(file);
    expect(readFileSync(file, 'utf8')).toBe(String(process.pid));
    unlock();
    expect(existsSync(file)).toBe(false);
  });

  it('lockFile: takes over the lock of a process that died holding it', () => {
    const file = join(dir, 'pg.lock');
    writeFileSync(file, String(deadPid()));
    const unlock = lockFile(file, 1000);
    expect(readFileSync(file, 'utf8')).toBe(String(process.pid));
    unlock();
  });

  it('lockFile: a lock a live process holds too long is an error naming it', () => {
    const file = join(dir, 'pg.lock');
    writeFileSync(file, String(process.ppid));
    expect(() => lockFile(file, 120)).toThrow(new RegExp(`^process ${process.ppid} has held .*pg\\.lock for over 0 s: is it stuck\\? stop it, or remove the file$`));
  });
});
