import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runInThisContext } from 'node:vm';
import ts from 'typescript';

/**
 * What a user of a client generated from `/docs-json` does (issue 11): generate the types with
 * openapi-typescript (default flags), write a program against them with openapi-fetch, type-check
 * it as a strict project would, and run it. Shared by the typed-client contract tests.
 */

const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);

/** A cast, `any` or a type assertion in a program: a typed client must not need one. */
export const CAST = /\bas\s+[A-Za-z{(]|<[A-Z]\w*>\s*[a-z(]|:\s*any\b|<any>/;

/** Fetches the live document into `dir/openapi.json`, generates `dir/api.d.ts` from it, and returns the document. */
export async function generateTypes(baseUrl: string, dir: string): Promise<Record<string, any>> {
  const text = await (await fetch(`${baseUrl}/docs-json`)).text();
  writeFileSync(join(dir, 'openapi.json'), text);
  await run(process.execPath, [join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), join(dir, 'openapi.json'), '-o', join(dir, 'api.d.ts')], { cwd: dir });
  return JSON.parse(text) as Record<string, any>;
}

/** Type-checks a program of the temp directory as a user's strict project would (openapi-fetch from our node_modules). */
export function typeCheck(file: string): readonly ts.Diagnostic[] {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    noUnusedLocals: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    paths: { 'openapi-fetch': [join(ROOT, 'node_modules/openapi-fetch/dist/index.d.cts')] },
  });
  return ts.getPreEmitDiagnostics(program);
}

/** Diagnostics as `./file:line message`, relative to `dir`. */
export function describeDiagnostics(diagnostics: readonly ts.Diagnostic[], dir: string): string[] {
  return diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName.replace(dir, '.')}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} ` : '';
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** Transpiles a program's source to CommonJS and loads it (its `require` resolves from the project root) and returns its exports. */
export function loadProgram<T>(source: string, file: string): T {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  const module = { exports: {} as T };
  const wrapper = runInThisContext(`(function (exports, require, module) {${js}\n})`, { filename: file });
  wrapper(module.exports, createRequire(join(ROOT, 'package.json')), module);
  return module.exports;
}

/** Every operation of a document as `METHOD /path/template`. */
export function operationsOf(document: Record<string, any>): string[] {
  const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
  return Object.entries<Record<string, unknown>>(document.paths ?? {}).flatMap(([path, item]) => methods.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`));
}
