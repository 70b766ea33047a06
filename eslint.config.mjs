import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NO_EVAL = [
  { selector: "CallExpression[callee.name='eval']", message: 'No eval: expressions go through CEL.' },
  { selector: "NewExpression[callee.name='Function']", message: 'No new Function.' },
];
const NO_DYNAMIC_ALIAS = [
  { selector: 'ImportExpression[source.value=/^@cognition\\//]', message: 'A dynamic import of an @cognition/ alias is not rewritten by the build: use a relative path.' },
  { selector: "CallExpression[callee.name='require'][arguments.0.value=/^@cognition\\//]", message: 'A require() of an @cognition/ alias is not rewritten by the build: use a relative path.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'clients/*/dist/**', 'node_modules/**', 'coverage/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', ...NO_EVAL],
    },
  },
  {
    // Plain CommonJS scripts that npm runs before a build exists (scripts/build-if-stale.js), and
    // what jest.config.js loads before any TypeScript can (test/support/test-workers.js).
    files: ['scripts/**/*.js', 'test/support/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Path aliases (@cognition/...) are rewritten to relative paths by `nest build` in import and export
    // declarations only: a dynamic import() or require() of one would break in dist/ and in the package.
    files: ['src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...NO_EVAL, ...NO_DYNAMIC_ALIAS],
    },
  },
  {
    // Domain code imports no framework.
    files: ['src/modules/*/domain/**/*.ts', 'src/platform/domain/**/*.ts', 'src/platform/expressions/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@nestjs/*', 'typeorm', 'typeorm/*', 'pg', 'nestjs-cls', '@nestjs-cls/*'] }],
    },
  },
  {
    // Contracts: command, query and event classes; the CQRS base classes are the only framework import.
    files: ['src/modules/*/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@nestjs/*', '!@nestjs/cqrs', 'typeorm', 'typeorm/*', 'pg', 'nestjs-cls', '@nestjs-cls/*'] }] }],
    },
  },
);
