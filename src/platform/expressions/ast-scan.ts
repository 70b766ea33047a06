import type { ASTNode } from '@marcbachmann/cel-js';

/** The only root variables an expression may read (SPEC section 3). */
export const ROOT_VARIABLES = ['inputs', 'steps', 'execution', 'workflow', 'item', 'index', 'signal'] as const;
export type RootVariable = (typeof ROOT_VARIABLES)[number];

/** What a walk over a parsed expression found. */
export interface AstScan {
  /** Step ids read as `steps.<id>` or `steps["<id>"]`. */
  stepRefs: Set<string>;
  /** Free root identifiers that are allowed roots. */
  variables: Set<string>;
  /** Free root identifiers that are not allowed roots. */
  unknownRoots: Set<string>;
  /** `steps[<computed key>]` was used, so the referenced step cannot be known statically. */
  dynamicStepAccess: boolean;
}

/** Macros whose first argument declares an iteration variable visible in the other arguments. */
const COMPREHENSION_MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const ROOTS: ReadonlySet<string> = new Set(ROOT_VARIABLES);

interface Node {
  op: string;
  args: unknown;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).op === 'string' && 'args' in value;
}

function isFreeId(node: unknown, name: string, bound: ReadonlySet<string>): boolean {
  return isNode(node) && node.op === 'id' && node.args === name && !bound.has(name);
}

function identifierName(node: unknown): string | undefined {
  return isNode(node) && node.op === 'id' && typeof node.args === 'string' ? node.args : undefined;
}

function visitAll(value: unknown, bound: ReadonlySet<string>, scan: AstScan): void {
  if (isNode(value)) visit(value, bound, scan);
  else if (Array.isArray(value)) for (const item of value) visitAll(item, bound, scan);
}

function visit(node: Node, bound: ReadonlySet<string>, scan: AstScan): void {
  switch (node.op) {
    case 'id': {
      const name = node.args as string;
      if (bound.has(name)) return;
      if (ROOTS.has(name)) scan.variables.add(name);
      else scan.unknownRoots.add(name);
      return;
    }
    case '.':
    case '.?': {
      const [target, field] = node.args as [unknown, string];
      if (isFreeId(target, 'steps', bound)) scan.stepRefs.add(field);
      visitAll(target, bound, scan);
      return;
    }
    case '[]':
    case '[?]': {
      const [target, key] = node.args as [unknown, unknown];
      if (isFreeId(target, 'steps', bound)) {
        if (isNode(key) && key.op === 'value' && typeof key.args === 'string') scan.stepRefs.add(key.args);
        else scan.dynamicStepAccess = true;
      }
      visitAll([target, key], bound, scan);
      return;
    }
    case 'rcall': {
      const [name, receiver, args] = node.args as [string, unknown, unknown[]];
      const variable = identifierName(args[0]);
      if (COMPREHENSION_MACROS.has(name) && args.length >= 2 && variable !== undefined) {
        visitAll(receiver, bound, scan);
        visitAll(args.slice(1), new Set(bound).add(variable), scan);
        return;
      }
      if (name === 'bind' && isFreeId(receiver, 'cel', bound) && args.length === 3 && variable !== undefined) {
        visitAll(args[1], bound, scan);
        visitAll(args[2], new Set(bound).add(variable), scan);
        return;
      }
      visitAll([receiver, args], bound, scan);
      return;
    }
    default:
      visitAll(node.args, bound, scan);
  }
}

/**
 * Walks a parsed expression (before macro expansion: macros appear as calls). Identifiers bound
 * by the comprehension macros (`all`, `exists`, `exists_one`, `map`, `filter`) and by
 * `cel.bind(name, value, body)` are local to their scope and are not roots.
 */
export function scanAst(ast: ASTNode): AstScan {
  const scan: AstScan = { stepRefs: new Set(), variables: new Set(), unknownRoots: new Set(), dynamicStepAccess: false };
  visit(ast as unknown as Node, new Set(), scan);
  return scan;
}
