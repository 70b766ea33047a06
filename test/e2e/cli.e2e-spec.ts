import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/processes';
import { adminRows, createTestDatabase, TestDatabase } from '../support/test-database';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The environment of a CLI run: only what the test gives (and PATH), never the caller's DB_* or npm's. */
function cli(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  const result = spawnSync(process.execPath, ['-r', require.resolve('ts-node/register'), join(ROOT, 'src/cli.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, lines: result.stderr.trim().split('\n').filter(Boolean) };
}

describe('the admin CLI', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase('cli_admin');
    dir = mkdtempSync(join(tmpdir(), 'cognition-os-cli-'));
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('--help and --version exit 0 without a database; --help states the env file rules', () => {
    const nowhere = { DB_HOST: '127.0.0.1', DB_PORT: '1' };
    const help = cli(['--help'], nowhere);
    expect(help.code).toBe(0);
    for (const command of ['migration:run', 'migration:show', 'tenant:create', 'tenant:list', 'tenant:rate-limit', 'tenant:quota', 'apikey:create', 'apikey:list', 'apikey:revoke', 'dead-letters:list', 'dead-letters:retry', 'dead-letters:discard']) {
      expect(help.stdout).toContain(command);
    }
    expect(help.stdout).toContain('--env-file <path>');
    expect(help.stdout).toContain('./.env is read by default when it is present');
    expect(help.stderr).toBe('');
    expect(cli(['--version'], nowhere)).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(cli(['tenant:quota', '--help'], nowhere)).toMatchObject({ code: 0, stdout: expect.stringContaining('--max-running-steps <n>') });
  });

  it('prints an error once on stderr with exit 1: usage, bad environment, unknown database, a failing command', () => {
    const unknown = cli(['nope'], db.env);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.lines).toEqual(["error: unknown command 'nope'"]);

    const badEnv = cli(['tenant:list'], { ...db.env, DB_PORT: 'not-a-port' });
    expect(badEnv.code).toBe(1);
    expect(badEnv.lines).toHaveLength(1);
    expect(badEnv.lines[0]).toContain('DB_PORT');

    const noDatabase = cli(['tenant:list'], { ...db.env, DB_NAME: `${db.name}_missing` });
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.lines).toEqual([expect.stringContaining(`database "${db.name}_missing"`), expect.stringMatching(/^database "\w+" does not exist on PostgreSQL at 127\.0\.0\.1:\d+/)]);

    const failing = cli(['apikey:create', '--tenant', '00000000-0000-7000-8000-000000000000'], db.env);
    expect(failing).toMatchObject({ code: 1, stdout: '' });
    expect(failing.lines).toEqual([expect.stringContaining('using PostgreSQL'), 'Tenant 00000000-0000-7000-8000-000000000000 does not exist']);
  });

  it('names the database it uses on stderr, never the password, and reads --env-file or ./.env', () => {
    const listed = cli(['tenant:list'], { ...db.env, DB_PASSWORD: 'pw-that-must-not-show' });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    expect(listed.lines).toEqual([`cognition-os: using PostgreSQL at 127.0.0.1:${db.env.DB_PORT}, database "${db.name}", user "${db.env.DB_USER}"`]);
    expect(listed.stderr).not.toContain('pw-that-must-not-show');

    const { DB_NAME: name, ...withoutName } = db.env;
    const file = join(dir, 'admin.env');
    writeFileSync(file, `DB_NAME=${name}\n`);
    const chosen = cli(['tenant:list', '--env-file', file], withoutName);
    expect(chosen.code).toBe(0);
    expect(chosen.lines).toEqual([expect.stringMatching(new RegExp(`database "${name}".*\\(environment from ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)$`))]);

    writeFileSync(join(dir, '.env'), `DB_NAME=${name}\n`);
    const dotEnv = cli(['tenant:list'], withoutName, dir);
    expect(dotEnv.code).toBe(0);
    expect(dotEnv.lines).toEqual([expect.stringMatching(new RegExp(`database "${name}".*\\(environment from \\./\\.env\\)$`))]);

    const missing = cli(['tenant:list', '--env-file', join(dir, 'absent.env')], withoutName);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('absent.env');
  });

  it('migration:show and migration:run work on a migrated database', () => {
    const shown = cli(['migration:show'], db.env);
    expect(shown.code).toBe(0);
    const states = JSON.parse(shown.stdout) as { name: string; applied: boolean }[];
    expect(states.length).toBeGreaterThan(5);
    expect(states.every((s) => s.applied)).toBe(true);
    expect(shown.lines[1]).toBe(`${states.length} of ${states.length} migrations applied`);
    expect(cli(['migration:run'], db.env)).toMatchObject({ code: 0, stdout: expect.stringContaining('"applied": []') });
  });

  it("tenant:quota sets and clears a tenant's cap on running steps, and refuses bad input", async () => {
    const tenant = JSON.parse(cli(['tenant:create', 'quota-co'], db.env).stdout) as { tenantId: string };
    const quota = () => adminRows<{ max_running_steps: number }>(`SELECT max_running_steps FROM tenant_quotas WHERE tenant_id = $1`, [tenant.tenantId], db.name);

    expect(JSON.parse(cli(['tenant:quota', tenant.tenantId, '--max-running-steps', '3'], db.env).stdout)).toMatchObject({ tenantId: tenant.tenantId, maxRunningSteps: 3 });
    expect(await quota()).toEqual([{ max_running_steps: 3 }]);
    expect(cli(['tenant:quota', tenant.tenantId, '--max-running-steps', '0'], db.env).code).toBe(0);
    expect(await quota()).toEqual([{ max_running_steps: 0 }]);

    for (const [args, message] of [
      [['--max-running-steps', '-2'], /--max-running-steps/],
      [['--max-running-steps', 'many'], /must be a whole number/],
      [[], /either --max-running-steps <n> or --clear/],
      [['--clear', '--max-running-steps', '4'], /either --max-running-steps <n> or --clear/],
    ] as const) {
      const refused = cli(['tenant:quota', tenant.tenantId, ...args], db.env);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(message);
    }
    expect(await quota()).toEqual([{ max_running_steps: 0 }]);

    const unknown = cli(['tenant:quota', 'not-a-tenant', '--max-running-steps', '2'], db.env);
    expect(unknown.code).toBe(1);
    expect(unknown.lines.at(-1)).toBe('Tenant not-a-tenant does not exist');

    expect(JSON.parse(cli(['tenant:quota', tenant.tenantId, '--clear'], db.env).stdout)).toMatchObject({ maxRunningSteps: null });
    expect(await quota()).toEqual([]);
  }, 120_000);
});
