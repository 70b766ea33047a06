import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { scanAst, type AstScan } from './ast-scan';
import { guardAst, instrumentEnvironment } from './cel-metering';

/**
 * One shared CEL environment. Variables are undeclared (`dyn`) because workflow inputs and step
 * outputs are arbitrary JSON; mixed-type list and map literals are allowed for the same reason.
 */
const environment = new Environment({
  unlistedVariablesAreDyn: true,
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: 10_000, maxDepth: 100, maxListElements: 1_000, maxMapEntries: 1_000 },
});
instrumentEnvironment(environment);

export interface CompiledExpression {
  program: ParseResult;
  scan: AstScan;
  /** Every free root identifier the expression reads (allowed or not). */
  roots: ReadonlySet<string>;
}

const CACHE_LIMIT = 1_000;
const cache = new Map<string, CompiledExpression>();

/**
 * Parses a CEL expression, caching the compiled program with its scan (the engine evaluates the
 * same expressions many times). The cache is bounded and evicts the least recently used entry.
 * Throws the library's ParseError on bad syntax; failures are not cached.
 */
export function compileCel(expression: string): CompiledExpression {
  const hit = cache.get(expression);
  if (hit) {
    cache.delete(expression);
    cache.set(expression, hit);
    return hit;
  }
  const program = environment.parse(expression);
  guardAst(program.ast);
  const scan = scanAst(program.ast);
  const compiled: CompiledExpression = { program, scan, roots: new Set([...scan.variables, ...scan.unknownRoots]) };
  cache.set(expression, compiled);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return compiled;
}

/** Number of cached programs; exposed for tests. */
export function compiledExpressionCacheSize(): number {
  return cache.size;
}

/** The one-line reason of a cel-js error (its `summary`), falling back to the message. */
export function celErrorSummary(error: unknown): string {
  if (error && typeof error === 'object') {
    const summary = (error as { summary?: unknown }).summary;
    if (typeof summary === 'string' && summary.length > 0) return summary;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return String(error);
}

/** Start offset of a cel-js error inside the expression, when the library reports one. */
export function celErrorOffset(error: unknown): number | undefined {
  const range = (error as { range?: { start?: unknown } } | null)?.range;
  return typeof range?.start === 'number' ? range.start : undefined;
}

/** The expression in backquotes for messages, shortened when long. */
export function quoteExpression(expression: string): string {
  const text = expression.trim();
  return '`' + (text.length > 120 ? `${text.slice(0, 117)}...` : text) + '`';
}
