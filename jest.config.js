// One jest run covers unit (*.spec.ts), integration (*.int-spec.ts) and e2e (test/e2e/*.e2e-spec.ts).
// @marcbachmann/cel-js and content-disposition (under @fastify/static) ship ESM only, so swc
// transforms them to CommonJS like our own code.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false }, target: 'es2022', keepClassNames: true }, module: { type: 'commonjs' } }];
// Path aliases (`@cognition/task/contracts`, `@cognition/platform/...`): tsconfig.json's `paths` is the one
// list; jest maps each pattern the same way, most specific first, as TypeScript does.
const { paths } = require('./tsconfig.json').compilerOptions;
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const moduleNameMapper = Object.fromEntries(
  Object.entries(paths)
    .sort(([a], [b]) => b.indexOf('*') - a.indexOf('*'))
    .map(([alias, [target]]) => [`^${escape(alias).replace('\\*', '(.*)')}$`, `<rootDir>/${target.replace('*', '$1')}`]),
);
// globalSetup and globalTeardown run in jest's own process, outside the module registry that
// moduleNameMapper serves: there Node resolves the aliases through tsconfig-paths.
require('tsconfig-paths').register({ baseUrl: __dirname, paths });
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@marcbachmann/cel-js|content-disposition)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
};
const databaseHooks = { globalSetup: '<rootDir>/test/support/global-setup.ts', globalTeardown: '<rootDir>/test/support/global-teardown.ts' };
// One worker per PostgreSQL server (TEST_DB_PORTS) or per embedded test cluster (no database
// configured); one configured server: in band. test/support/test-workers.js.
const { testWorkers } = require('./test/support/test-workers');
module.exports = {
  // jest 30 reads testTimeout from the root only (a project's own is ignored, the 5 s default applies).
  testTimeout: 60_000,
  maxWorkers: testWorkers(),
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'] },
    // The migrated template database is built once per run (jest runs a hook shared by projects once) and dropped at the end.
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'], ...databaseHooks },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'], ...databaseHooks },
  ],
};
