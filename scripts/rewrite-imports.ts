/**
 * Rewrites relative imports that climb out of their own unit (a feature module, a platform piece,
 * config, the app's root files) or climb three folders or more into the path aliases of
 * tsconfig.json: `../../../../modules/task/contracts` → `@cognition/task/contracts`.
 *
 *   npx ts-node scripts/rewrite-imports.ts            rewrite src/, test/ and bench/ in place
 *   npx ts-node scripts/rewrite-imports.ts --dry-run  list what would change, write nothing
 *   npx ts-node scripts/rewrite-imports.ts --check    exit 1 if anything would change (for CI)
 *
 * Specifiers are found with the TypeScript parser: import/export declarations, `import x =
 * require()`, `import()` and `require()` calls, `import('…')` types and `jest.mock()`-style calls.
 * In src/ (outside tests) only import/export declarations are rewritten: `nest build` rewrites
 * aliases there and nowhere else, so a dynamic import, a require or an import type keeps its
 * relative path. Imports of the public index (`src/index.ts`) stay relative: they stand for the
 * package. Run it with the tree quiet: it edits files in place.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '..');
const DIRECTORIES = ['src', 'test', 'bench'];
/** Copied out of the repository by its test and installed as a stranger's app: it must not use our aliases. */
const SKIPPED = [join('test', 'e2e', 'package', 'fixture-app')];
const JEST_CALLS = new Set(['mock', 'doMock', 'unmock', 'dontMock', 'requireActual', 'requireMock', 'createMockFromModule', 'setMock']);

/** Folder prefixes (relative to the root, '/'-separated) and their alias, most specific first. */
const ALIASES: [string, string][] = [
  ['src/platform/', '@cognition/platform/'],
  ['src/config/', '@cognition/config/'],
  ['test/support/', '@cognition/test-support/'],
  ['src/modules/', '@cognition/'],
  ['src/', '@cognition/app/'],
];

interface Edit {
  start: number;
  end: number;
  from: string;
  to: string;
}

function main(): void {
  const args = new Set(process.argv.slice(2));
  const dryRun = args.has('--dry-run') || args.has('--check');
  checkAliasesMatchTsconfig();
  let files = 0;
  let imports = 0;
  for (const file of DIRECTORIES.flatMap((d) => tsFiles(join(ROOT, d)))) {
    const text = readFileSync(file, 'utf8');
    const edits = editsFor(file, text);
    if (!edits.length) continue;
    files++;
    imports += edits.length;
    if (dryRun) {
      for (const e of edits) console.log(`${relative(ROOT, file)}: '${e.from}' → '${e.to}'`);
      continue;
    }
    let out = text;
    for (const e of [...edits].sort((a, b) => b.start - a.start)) out = `${out.slice(0, e.start)}${e.to}${out.slice(e.end)}`;
    writeFileSync(file, out);
  }
  console.log(`${dryRun ? 'would rewrite' : 'rewrote'} ${imports} import(s) in ${files} file(s)`);
  if (args.has('--check') && imports > 0) process.exit(1);
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || SKIPPED.includes(relative(ROOT, path)) ? [] : tsFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The rewrites of one file: each string literal that is a module specifier and should be an alias. */
export function editsFor(file: string, text: string): Edit[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const rel = toPosix(relative(ROOT, file));
  // Only declarations are rewritten by the build; tests and benches run under jest or ts-node, which map every form.
  const buildOutput = rel.startsWith('src/') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(rel);
  const edits: Edit[] = [];
  const consider = (literal: ts.Node | undefined, declaration: boolean) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    if (buildOutput && !declaration) return;
    const to = aliasFor(file, literal.text);
    if (to) edits.push({ start: literal.getStart(source) + 1, end: literal.getEnd() - 1, from: literal.text, to });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) consider(node.moduleSpecifier, true);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) consider(node.moduleReference.expression, false);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) consider(node.argument.literal, false);
    else if (ts.isCallExpression(node) && isModuleCall(node)) consider(node.arguments[0], false);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edits;
}

function isModuleCall(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (ts.isIdentifier(callee)) return callee.text === 'require';
  if (ts.isPropertyAccessExpression(callee)) {
    const target = callee.expression;
    if (ts.isIdentifier(target) && target.text === 'jest') return JEST_CALLS.has(callee.name.text);
    if (ts.isIdentifier(target) && target.text === 'require') return callee.name.text === 'resolve';
  }
  return false;
}

/** The alias to use instead of `specifier` in `file`, or undefined to leave it as it is. */
export function aliasFor(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const target = toPosix(relative(ROOT, resolve(dirname(file), specifier)));
  const climbs = specifier.split('/').filter((part) => part === '..').length;
  if (climbs === 0) return undefined;
  const from = toPosix(relative(ROOT, file));
  if (unit(from) === unit(target) && climbs < 3) return undefined;
  if (isPublicIndex(target)) return undefined;
  const match = ALIASES.find(([prefix]) => target.startsWith(prefix));
  if (!match) return undefined;
  const rest = target.slice(match[0].length);
  // `@cognition/<module>` alone would be ambiguous with the other aliases: a module's root needs a path.
  if (match[1] === '@cognition/' && !rest.includes('/')) return undefined;
  if (match[1] === '@cognition/' && ['platform', 'config', 'app', 'test-support'].includes(rest.split('/')[0])) {
    throw new Error(`src/modules/${rest.split('/')[0]} would be shadowed by another alias`);
  }
  return `${match[1]}${rest}`;
}

/** What a relative import may stay within: a feature module, a platform piece, config, the app's root, test/, bench/. */
function unit(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'src') {
    if (parts[1] === 'modules' || parts[1] === 'platform') return parts.slice(0, 3).join('/');
    if (parts.length > 2) return parts.slice(0, 2).join('/');
    return 'src';
  }
  return parts[0];
}

function isPublicIndex(target: string): boolean {
  return target === 'src' || target === 'src/index' || target === 'src/index.ts';
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/** The alias table here must be the one tsconfig.json maps, or the rewritten imports would not resolve. */
function checkAliasesMatchTsconfig(): void {
  const { paths } = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions;
  for (const [prefix, alias] of ALIASES) {
    const mapped = paths[`${alias}*`];
    if (!mapped || mapped[0] !== `${prefix}*`) throw new Error(`tsconfig.json paths: expected "${alias}*": ["${prefix}*"]`);
    if (!statSync(join(ROOT, prefix)).isDirectory()) throw new Error(`${prefix} is not a folder`);
  }
}

if (require.main === module) main();
