/** Module boundaries (DESIGN.md): a module uses another only through its contracts/ folder. */
module.exports = {
  forbidden: [
    {
      name: 'modules-only-through-contracts',
      severity: 'error',
      comment: 'A feature module may import another module only from its contracts/ folder.',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/contracts/'] },
    },
    {
      name: 'domain-is-framework-free',
      severity: 'error',
      from: { path: '^src/(modules/[^/]+/domain|platform/(domain|expressions))/', pathNot: '\\.spec\\.ts$' },
      to: { path: '(^|/)node_modules/(@nestjs|typeorm|pg|nestjs-cls|@nestjs-cls)/' },
    },
    {
      name: 'contracts-use-only-cqrs',
      comment: 'contracts/ holds command, query and event classes: @nestjs/cqrs base classes are its only framework import.',
      severity: 'error',
      from: { path: '^src/modules/[^/]+/contracts/' },
      to: { path: '(^|/)node_modules/(@nestjs/(?!cqrs)|typeorm|pg|nestjs-cls|@nestjs-cls)' },
    },
    {
      name: 'platform-does-not-import-modules',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'no-unresolvable',
      comment: 'Every import resolves (a mistyped @cognition/ alias would only fail at run time in dist/).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    { name: 'no-circular', severity: 'warn', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.(spec|int-spec|e2e-spec)\\.ts$' },
  },
};
