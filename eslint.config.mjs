import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'clients/*/dist/**', 'node_modules/**', 'coverage/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.name='eval']", message: 'No eval: expressions go through CEL.' }, { selector: "NewExpression[callee.name='Function']", message: 'No new Function.' }],
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
