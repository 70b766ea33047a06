import { setFlagsFromString } from 'node:v8';
import type { Environment } from '@marcbachmann/cel-js';
import { ExpressionError, ExpressionLimitError } from './expression-error';
import { activeMeter, expressionLimits, Meter, withMeter } from './expression-limits';

/*
 * Instrumented evaluation (docs/architecture.md, "Expression limits"). cel-js has no cost hook,
 * but its evaluator sends every child node through one method, `run(ast, ctx)`: the comprehension
 * loops of `all`, `exists`, `map`, `filter` run their step through it, `cel.bind` its body, every
 * operator its operands. The shared environment's evaluator gets a metered `run` that bills each
 * node, checks the size of what building operations return, and checks the clock and the budget
 * every few units. Operations whose single call could outgrow any later check are guarded
 * before they run: `join` (a list of many references to one large string), `matches` (a
 * catastrophically backtracking pattern), which runs on V8's linear-time regexp engine (RE2
 * semantics, as CEL specifies: no backreferences, no lookaround), and the deep comparisons `==`,
 * `!=`, `in` (billed by the elements they could visit).
 *
 * Depends on cel-js internals (the evaluator's `run`, AST nodes' own `evaluate`); the version is
 * pinned and `instrumentEnvironment` fails loudly if they change. The specs prove each bomb fails.
 */

interface CelNode {
  op: string;
  args: unknown;
  /** `macro`: `cel.bind`, `has`; `alternate`: the comprehension a macro call (`map`, `all`…) expands to. */
  meta: { macro?: unknown; alternate?: unknown };
  receiverWithArgs?: CelNode[];
  handle?: (values: unknown[], ev: CelEvaluator, ast: CelNode) => unknown;
  evaluate(ev: CelEvaluator, ast: CelNode, ctx: unknown): unknown;
}

interface CelEvaluator {
  run(ast: CelNode, ctx: unknown): unknown;
}

function meteredRun(this: CelEvaluator, ast: CelNode, ctx: unknown): unknown {
  const meter = activeMeter();
  if (meter === null) return ast.evaluate(this, ast, ctx);
  if (meter.tripped !== undefined) throw meter.tripped;
  const result = ast.evaluate(this, ast, ctx);
  if (typeof result === 'object' || typeof result === 'string') {
    switch (ast.op) {
      case '+':
      case 'call':
        meter.built(result, true);
        break;
      case 'rcall': {
        // A macro returns what its body built (billed there); a function call copied its result.
        const meta = ast.meta;
        meter.built(result, !meta.macro && !meta.alternate);
        break;
      }
      case 'comprehension':
      case 'accuPush':
        meter.built(result, false);
        break;
    }
  }
  if (++meter.cost >= meter.nextCheck) meter.check();
  return result;
}

/** Installs the metered `run` on the environment's evaluator (reached through a probe expression). */
export function instrumentEnvironment(environment: Environment): void {
  const probe = environment.parse('true');
  let evaluator: CelEvaluator | undefined;
  (probe.ast as unknown as CelNode).evaluate = (ev: CelEvaluator) => {
    evaluator = ev;
    return true;
  };
  probe({});
  if (!evaluator || typeof evaluator.run !== 'function') throw new Error('cannot instrument the CEL evaluator: cel-js internals changed');
  evaluator.run = meteredRun;
  // Self-check: a comprehension's iterations must go through the metered `run`.
  const meter = new Meter({ cost: 1_000, timeMs: 60_000, resultBytes: 1_000 });
  withMeter(meter, () => environment.parse('[1, 2, 3, 4].map(x, x + 1)')({}));
  if (meter.cost < 8) throw new Error('cannot instrument the CEL evaluator: comprehensions are not metered (cel-js internals changed)');
}

// ── guarded functions ─────────────────────────────────────────────────────────────────────────────

function resultBytesLimit(): number {
  return activeMeter()?.limits.resultBytes ?? expressionLimits().resultBytes;
}

function evaluateArgs(ev: CelEvaluator, ast: CelNode, ctx: unknown): unknown[] {
  return ast.receiverWithArgs!.map((node) => ev.run(node, ctx));
}

function evaluateJoin(ev: CelEvaluator, ast: CelNode, ctx: unknown): unknown {
  const values = evaluateArgs(ev, ast, ctx);
  const [list, separator] = values;
  if (Array.isArray(list)) {
    const limit = resultBytesLimit();
    const step = typeof separator === 'string' ? separator.length : 0;
    let total = 0;
    for (const item of list) {
      total += (typeof item === 'string' ? item.length : 0) + step;
      if (total > limit) {
        const meter = activeMeter();
        if (meter) meter.tooLarge('string');
        throw new ExpressionLimitError(`expression built a string of more than ${limit} bytes`);
      }
    }
    activeMeter()?.charge(Math.floor(total / 10));
  }
  return ast.handle!(values, ev, ast);
}

/** The `l` flag, in a variable: linters do not know it. */
const LINEAR_FLAG = 'l';

function enableLinearRegExp(): boolean {
  try {
    new RegExp('a', LINEAR_FLAG);
    return true;
  } catch {
    try {
      setFlagsFromString('--enable-experimental-regexp-engine');
      new RegExp('a', LINEAR_FLAG);
      return true;
    } catch {
      return false;
    }
  }
}

/** V8's linear-time engine (the `l` flag): no catastrophic backtracking, no backreferences or lookaround. */
export const LINEAR_REGEXP = enableLinearRegExp();
const regexps = new Map<string, RegExp>();

function regExpOf(pattern: string): RegExp {
  let regexp = regexps.get(pattern);
  if (regexp) return regexp;
  try {
    regexp = new RegExp(pattern, LINEAR_REGEXP ? LINEAR_FLAG : '');
  } catch (error) {
    if (LINEAR_REGEXP && /linear time/.test((error as Error).message)) {
      throw new ExpressionError(`matches(): pattern ${JSON.stringify(pattern)} is not RE2 syntax (no backreferences or lookaround)`);
    }
    throw new ExpressionError(`Invalid regular expression: ${pattern}`);
  }
  if (regexps.size >= 256) regexps.delete(regexps.keys().next().value as string);
  regexps.set(pattern, regexp);
  return regexp;
}

function evaluateMatches(ev: CelEvaluator, ast: CelNode, ctx: unknown): unknown {
  const values = evaluateArgs(ev, ast, ctx);
  const [subject, pattern] = values;
  if (typeof subject !== 'string' || typeof pattern !== 'string') return ast.handle!(values, ev, ast);
  // The linear engine's time grows with subject length × pattern size.
  activeMeter()?.charge(Math.ceil((subject.length * Math.max(1, pattern.length)) / 100));
  return regExpOf(pattern).test(subject);
}

/**
 * Elements of `value` a deep comparison could visit (shared references counted each time, as the
 * comparison walks them), stopping once past `limit`.
 */
function comparedElements(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null) continue;
    if (Array.isArray(item)) {
      count += item.length;
      for (const element of item) if (typeof element === 'object' && element !== null) stack.push(element);
    } else if (item instanceof Map) {
      count += item.size;
      for (const element of item.values()) if (typeof element === 'object' && element !== null) stack.push(element);
    } else if (!(item instanceof Uint8Array) && !(item instanceof Date)) {
      for (const element of Object.values(item)) {
        count += 1;
        if (typeof element === 'object' && element !== null) stack.push(element);
      }
    }
  }
  return count;
}

/**
 * `==`, `!=` and `in` compare lists and maps deeply, in one call: a structure of shared references
 * built cheaply (`[b, b, …]` of `[a, a, …]`) and a distinct twin would compare for minutes. The
 * elements a comparison could visit are billed before it runs (1 unit each, as cel-go does).
 */
function evaluateComparison(ev: CelEvaluator, ast: CelNode, ctx: unknown): unknown {
  const [leftNode, rightNode] = ast.args as [CelNode, CelNode];
  const left = ev.run(leftNode, ctx);
  const right = ev.run(rightNode, ctx);
  const meter = activeMeter();
  if (meter !== null && ((typeof left === 'object' && left !== null) || (typeof right === 'object' && right !== null))) {
    const room = meter.limits.cost - meter.cost;
    const elements = comparedElements(left, room) + comparedElements(right, room);
    if (elements > 64) meter.charge(elements);
  }
  return (ast.handle as unknown as (l: unknown, r: unknown, a: CelNode, e: CelEvaluator) => unknown)(left, right, ast, ev);
}

const GUARDED: Record<string, (ev: CelEvaluator, ast: CelNode, ctx: unknown) => unknown> = {
  join: evaluateJoin,
  matches: evaluateMatches,
};
const COMPARISONS = new Set(['==', '!=', 'in']);

function isNode(value: unknown): value is CelNode {
  return typeof value === 'object' && value !== null && typeof (value as CelNode).op === 'string' && 'args' in value;
}

function guardAll(value: unknown): void {
  if (isNode(value)) guardNode(value);
  else if (Array.isArray(value)) for (const item of value) guardAll(item);
}

function guardNode(node: CelNode): void {
  if (node.op === 'rcall') {
    const [name] = node.args as [string];
    const guarded = Object.prototype.hasOwnProperty.call(GUARDED, name) ? GUARDED[name] : undefined;
    if (guarded) node.evaluate = guarded;
  } else if (COMPARISONS.has(node.op)) {
    node.evaluate = evaluateComparison;
  }
  guardAll(node.args);
}

/** Replaces the evaluation of `join`, `matches`, `==`, `!=` and `in` in a parsed expression with guarded ones. */
export function guardAst(ast: unknown): void {
  guardAll(ast);
}
