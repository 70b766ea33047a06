import { parsePostmasterPid } from './postmaster-pid';

describe('parsePostmasterPid', () => {
  const file = (status: string) => `11056\n/tmp/eptrial/pg\n1796298186\n54999\n\n127.0.0.1\n  2148484         9\n${status}\n`;

  it('reads the pid, data directory, port and status a running server wrote', () => {
    expect(parsePostmasterPid(file('ready   '))).toEqual({ pid: 11056, dataDir: '/tmp/eptrial/pg', port: 54999, status: 'ready' });
    expect(parsePostmasterPid(file('starting'))?.status).toBe('starting');
    expect(parsePostmasterPid(file('stopping'))?.status).toBe('stopping');
  });

  it('a server of an old format without the status line: empty status', () => {
    expect(parsePostmasterPid('42\n/data\n1\n5432\n')).toEqual({ pid: 42, dataDir: '/data', port: 5432, status: '' });
  });

  it.each([
    ['empty (being written)', ''],
    ['only the pid so far', '11056\n'],
    ['a single-user backend (negative pid)', '-11056\n/data\n1\n5432\n'],
    ['no port', '11056\n/data\n1\n\n'],
    ['a port out of range', '11056\n/data\n1\n70000\n'],
    ['not numbers', 'abc\n/data\n1\nxyz\n'],
  ])('%s: undefined', (_label, text) => {
    expect(parsePostmasterPid(text)).toBeUndefined();
  });
});
