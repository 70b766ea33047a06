// One jest run covers unit (*.spec.ts), integration (*.int-spec.ts) and e2e (test/e2e/*.e2e-spec.ts).
// @marcbachmann/cel-js and content-disposition (under @fastify/static) ship ESM only, so swc
// transforms them to CommonJS like our own code.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false }, target: 'es2022', keepClassNames: true }, module: { type: 'commonjs' } }];
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@marcbachmann/cel-js|content-disposition)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'] },
    { ...base, displayName: 'integration', testTimeout: 30_000, testMatch: ['<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'], globalSetup: '<rootDir>/test/support/global-setup.ts' },
    { ...base, displayName: 'e2e', testTimeout: 60_000, testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'], globalSetup: '<rootDir>/test/support/global-setup.ts' },
  ],
};
