import { ITEM_BYTES, STRING_BYTES_PER_UNIT } from './expression-limits';

/*
 * Static cost estimate of a parsed expression (before macro expansion), in the units of the
 * runtime meter (expression-limits.ts). Only what is visible in the text counts: literal lists and
 * strings, comprehensions nested over them, `cel.bind` chains that grow what they bind. Variables
 * are of unknown size and count as 1: the estimate refuses what is unbounded on its face (nested
 * comprehensions over literal ranges, binds that double), the runtime meter bounds the rest.
 */

type Kind = 'string' | 'list' | 'other';

export interface CostEstimate {
  /** Units the evaluation would cost. */
  cost: number;
  /** Length of the value: characters of a string, elements of a list. */
  size: number;
  /** Size of one element, for lists. */
  elem: number;
  kind: Kind;
}

interface Node {
  op: string;
  args: unknown;
}

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const UNKNOWN: CostEstimate = { cost: 1, size: 1, elem: 1, kind: 'other' };

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).op === 'string' && 'args' in value;
}

function idName(node: unknown): string | undefined {
  return isNode(node) && node.op === 'id' && typeof node.args === 'string' ? node.args : undefined;
}

/** Estimated bytes of what a value of this estimate would take. */
export function estimatedBytes(estimate: CostEstimate): number {
  return estimate.kind === 'list' ? estimate.size * Math.max(ITEM_BYTES, estimate.elem) : estimate.size;
}

function buildCost(estimate: CostEstimate): number {
  return estimate.kind === 'string' ? estimate.size / STRING_BYTES_PER_UNIT : estimate.size;
}

function children(value: unknown, scope: ReadonlyMap<string, CostEstimate>): CostEstimate[] {
  if (isNode(value)) return [visit(value, scope)];
  if (Array.isArray(value)) return value.flatMap((item) => children(item, scope));
  return [];
}

function combine(parts: CostEstimate[]): CostEstimate {
  let cost = 1;
  let size = 1;
  let elem = 1;
  let kind: Kind = 'other';
  for (const part of parts) {
    cost += part.cost;
    if (part.size >= size) {
      size = part.size;
      elem = part.elem;
      kind = part.kind;
    }
  }
  return { cost, size, elem, kind };
}

function visitRcall(node: Node, scope: ReadonlyMap<string, CostEstimate>): CostEstimate {
  const [name, receiver, args] = node.args as [string, unknown, unknown[]];
  const variable = idName(args[0]);
  if (name === 'bind' && idName(receiver) === 'cel' && !scope.has('cel') && args.length === 3 && variable !== undefined) {
    const value = visit(args[1] as Node, scope);
    const body = visit(args[2] as Node, new Map(scope).set(variable, { ...value, cost: 1 }));
    return { ...body, cost: value.cost + body.cost + 1 };
  }
  const target = isNode(receiver) ? visit(receiver, scope) : UNKNOWN;
  if (COMPREHENSIONS.has(name) && args.length >= 2 && variable !== undefined) {
    const item: CostEstimate = { cost: 1, size: target.elem, elem: 1, kind: 'other' };
    const inner = new Map(scope).set(variable, item);
    const body = combine(args.slice(1).flatMap((arg) => children(arg, inner)));
    const cost = target.cost + target.size * (body.cost + 1);
    if (name === 'map') return { cost, size: target.size, elem: body.size, kind: 'list' };
    if (name === 'filter') return { cost, size: target.size, elem: target.elem, kind: 'list' };
    return { cost, size: 1, elem: 1, kind: 'other' };
  }
  const parts = children(args, scope);
  if (name === 'join') {
    const size = target.size * target.elem + parts.reduce((sum, part) => sum + part.size * target.size, 0);
    return { cost: target.cost + parts.reduce((sum, part) => sum + part.cost, 0) + 1 + size / STRING_BYTES_PER_UNIT, size, elem: 1, kind: 'string' };
  }
  return combine([target, ...parts]);
}

function visit(node: Node, scope: ReadonlyMap<string, CostEstimate>): CostEstimate {
  switch (node.op) {
    case 'value':
      if (typeof node.args === 'string') return { cost: 1, size: node.args.length, elem: 1, kind: 'string' };
      return UNKNOWN;
    case 'id':
      return scope.get(node.args as string) ?? UNKNOWN;
    case 'list': {
      const items = children(node.args, scope);
      const elem = items.reduce((max, item) => Math.max(max, item.kind === 'list' ? estimatedBytes(item) / ITEM_BYTES : item.size), 1);
      return { cost: 1 + items.reduce((sum, item) => sum + item.cost, 0), size: items.length, elem, kind: 'list' };
    }
    case '+': {
      const [left, right] = children(node.args, scope);
      const size = left.size + right.size;
      const result: CostEstimate = { cost: 0, size, elem: Math.max(left.elem, right.elem), kind: left.kind === right.kind ? left.kind : 'other' };
      result.cost = left.cost + right.cost + 1 + buildCost(result);
      return result;
    }
    case '[]': {
      const [target, key] = children(node.args, scope);
      return { cost: target.cost + key.cost + 1, size: target.kind === 'list' ? target.elem : 1, elem: 1, kind: 'other' };
    }
    case '?:': {
      const [condition, left, right] = children(node.args, scope);
      const larger = left.size >= right.size ? left : right;
      return { ...larger, cost: condition.cost + left.cost + right.cost + 1 };
    }
    case 'rcall':
      return visitRcall(node, scope);
    case 'call': {
      const [, args] = node.args as [string, unknown[]];
      return combine(children(args, scope));
    }
    default:
      return combine(children(node.args, scope));
  }
}

/** Estimates the cost and the size of the result of a parsed expression. */
export function estimateCost(ast: unknown): CostEstimate {
  return isNode(ast) ? visit(ast, new Map()) : UNKNOWN;
}
