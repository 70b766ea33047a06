import { ChildProcess, spawn, spawnSync, SpawnSyncOptions } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { apiClient } from '../../support/http-client';
import { ROOT } from '../../support/processes';
import { adminQuery, TEST_DB, testDatabaseName } from '../../support/test-database';
import { writeOfflineApp } from './offline-install';

/**
 * The package as a user gets it: `npm pack` of the build, installed (offline, at our lockfile's
 * versions) into a fresh Nest app with its own ConfigModule and its own `@StepType` with a params
 * schema; the app migrates an empty database with `runMigrations()`, starts, and runs a workflow that
 * uses its step type over HTTP. The package's bin is exercised from the install too.
 */
describe('the packed npm package in a fresh Nest app', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const migrationCount = readdirSync(join(ROOT, 'migrations')).filter((f) => /^\d+-.+\.ts$/.test(f)).length;
  let tmp: string;
  let appDir: string;
  let installed: string;
  let database: string;
  let dbEnv: Record<string, string>;
  let app: ChildProcess | undefined;

  beforeAll(async () => {
    buildIfStale();
    tmp = mkdtempSync(join(tmpdir(), 'cognition-os-package-'));
    const packed = run('npm', ['pack', '--pack-destination', tmp, '--json'], { cwd: ROOT });
    const tarball = join(tmp, (JSON.parse(packed) as { filename: string }[])[0].filename);
    appDir = join(tmp, 'app');
    cpSync(join(__dirname, 'fixture-app'), appDir, { recursive: true });
    writeOfflineApp(appDir, ROOT, tarball, { name: 'embedding-app' });
    run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: appDir });
    installed = join(appDir, 'node_modules', pkg.name);
    writeFileSync(join(appDir, 'tsconfig.json'), JSON.stringify(appTsconfig()));
    // Compiles the app against the installed declarations (types resolved from the package, as a user's are).
    run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', appDir], { cwd: appDir });

    database = testDatabaseName('package');
    await adminQuery(`CREATE DATABASE "${database}"`);
    dbEnv = { DB_HOST: TEST_DB.host, DB_PORT: String(TEST_DB.port), DB_USER: TEST_DB.user, DB_PASSWORD: TEST_DB.password, DB_NAME: database };
  }, 180_000);

  afterAll(async () => {
    if (app && app.exitCode === null) {
      const exited = once(app, 'exit');
      app.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (app.exitCode === null) app.kill('SIGKILL');
    }
    if (database) await adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('ships the build with relative imports only, declarations, the built migrations, and no second copy of Nest', () => {
    const files = listFiles(installed).map((f) => relative(installed, f));
    expect(files).toContain('dist/src/index.js');
    expect(files).toContain('dist/src/index.d.ts');
    // The dashboard, which createApp serves at /ui.
    expect(files).toContain('dist/ui/index.html');
    expect(files.filter((f) => /^dist\/migrations\/\d+-.+\.js$/.test(f))).toHaveLength(migrationCount);
    expect(files.filter((f) => f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    const aliased = files.filter((f) => /\.(js|d\.ts)$/.test(f) && /(require\(|from |import\()\s*["']@cognition\//.test(readFileSync(join(installed, f), 'utf8')));
    expect(aliased).toEqual([]);
    // Peers resolve to the app's single copy.
    expect(existsSync(join(installed, 'node_modules', '@nestjs'))).toBe(false);
    expect(existsSync(join(installed, 'node_modules', 'typeorm'))).toBe(false);
  });

  it("installs the bin: --version and --help exit 0; commands name the database and refuse an unmigrated one", () => {
    const version = cli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/migration:run[\s\S]*tenant:quota[\s\S]*\.\/\.env is read by default/);

    const shown = cli(['migration:show']);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain(`database "${database}"`);
    const states = JSON.parse(shown.stdout) as { name: string; applied: boolean }[];
    expect(states).toHaveLength(migrationCount);
    expect(states.every((s) => !s.applied)).toBe(true);

    const refused = cli(['tenant:list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringContaining(`database "${database}"`), expect.stringMatching(/is not migrated \(0 of \d+ migrations applied\)/)]);
  });

  it('migrates with runMigrations(), starts, and runs a workflow with its own step type over HTTP', async () => {
    app = spawn(process.execPath, [join(appDir, 'dist', 'main.js')], {
      cwd: appDir,
      env: { ...cleanEnv(), ...dbEnv, LOG_LEVEL: 'silent', BOOTSTRAP_API_KEY: '', APP_GREETING: 'Bonjour', OUTBOX_POLL_MS: '200' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = await firstLine(app, 60_000);
    expect(started.migrated).toBe(migrationCount);
    const api = apiClient(started.url, started.apiKey);

    const bad = await api('POST', '/api/v3/workflows', { body: { id: 'bad', version: '1.0.0', name: 'bad', steps: [{ id: 'hi', type: 'greet', params: { nom: 'Ada' } }] } });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/steps/0/params/name', code: 'INVALID_PARAMS' }),
        expect.objectContaining({ pointer: '/steps/0/params/nom', code: 'INVALID_PARAMS' }),
      ]),
    );

    const created = await api('POST', '/api/v3/workflows', {
      body: {
        id: 'welcome',
        version: '1.0.0',
        name: 'Welcome',
        status: 'active',
        steps: [
          { id: 'hello', type: 'greet', params: { name: '${{ inputs.name }}' } },
          { id: 'card', type: 'transform', dependsOn: ['hello'], params: { output: { message: '${{ steps.hello.output.text }}' } } },
        ],
      },
    });
    expect(created.status).toBe(201);
    const execution = await api('POST', '/api/v3/workflows/welcome/executions', { body: { inputs: { name: 'Ada' } } });
    expect(execution.status).toBe(202);
    const done = await waitForTerminal(api, execution.body.id);
    expect(done.status).toBe('completed');
    expect(done.outputs).toEqual({ hello: { text: 'Bonjour, Ada!', attempt: 1 }, card: { message: 'Bonjour, Ada!' } });

    // createApp serves the dashboard shipped in the package.
    const page = await fetch(`${started.url}/ui/executions`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<div id="app"');

    const missing = await api('POST', '/api/v3/workflows/nope/executions', { body: { inputs: {} } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toMatch(/NOT_FOUND/);

    const after = cli(['migration:show']);
    expect((JSON.parse(after.stdout) as { applied: boolean }[]).every((s) => s.applied)).toBe(true);
    expect(JSON.parse(cli(['migration:run']).stdout)).toEqual({ applied: [] });
  }, 90_000);

  function cli(args: string[]) {
    const result = spawnSync(join(appDir, 'node_modules', '.bin', 'cognition-os'), args, { cwd: appDir, env: { ...cleanEnv(), ...dbEnv }, encoding: 'utf8', timeout: 60_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }
});

/** The environment without npm's (when jest runs under `npm test`) or a DATABASE_URL of the caller's. */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !k.startsWith('npm_') && k !== 'DATABASE_URL')) as Record<string, string>;
}

function run(command: string, args: string[], options: SpawnSyncOptions): string {
  const result = spawnSync(command, args, { ...options, env: cleanEnv(), encoding: 'utf8', timeout: 170_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr).slice(-3000)}${String(result.stdout).slice(-3000)}`);
  return String(result.stdout);
}

/**
 * `nest build` (and the dashboard's build) unless dist/ is newer than every source file and the build
 * settings (CI builds before testing). PACKED_PACKAGE_REUSE_DIST=1 packs dist/ as it is (while others edit the tree).
 */
function buildIfStale(): void {
  const built = join(ROOT, 'dist', 'src', 'index.js');
  if (process.env.PACKED_PACKAGE_REUSE_DIST === '1' && existsSync(built)) return;
  const sources = [...listFiles(join(ROOT, 'src')), ...listFiles(join(ROOT, 'migrations')), ...['package.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'].map((f) => join(ROOT, f))];
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs > newest) return;
  run(process.execPath, [join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'], { cwd: ROOT });
  // nest build empties dist/, the dashboard the browser tests (test/e2e/ui) drive with it: built again.
  run(process.execPath, [join(ROOT, 'scripts', 'build-ui.js')], { cwd: ROOT });
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'node_modules' ? [] : listFiles(join(dir, e.name))) : [join(dir, e.name)]));
}

/**
 * The app's compiler settings, a Nest app's usual ones (skipLibCheck: checking every library's
 * declarations triples the time; the first test checks that ours import nothing unresolvable).
 * @types/node comes from this repository (the app installs no types).
 */
function appTsconfig() {
  return {
    compilerOptions: {
      module: 'commonjs',
      moduleResolution: 'node',
      target: 'ES2022',
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
      skipLibCheck: true,
      rootDir: 'src',
      outDir: 'dist',
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      types: ['node'],
    },
    include: ['src'],
  };
}

/** The app's first stdout line (its JSON hello), or its stderr when it exits first. */
function firstLine(child: ChildProcess, ms: number): Promise<{ url: string; apiKey: string; migrated: number }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the app did not start within ${ms} ms: ${err.slice(-2000)}`)), ms);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited ${code}: ${err.slice(-3000)}`));
    });
  });
}

async function waitForTerminal(api: ReturnType<typeof apiClient>, id: string): Promise<any> {
  const until = Date.now() + 30_000;
  for (;;) {
    const res = await api('GET', `/api/v3/executions/${id}`);
    if (['completed', 'failed', 'cancelled'].includes(res.body.status)) return res.body;
    if (Date.now() > until) throw new Error(`execution ${id} is ${res.body.status}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
