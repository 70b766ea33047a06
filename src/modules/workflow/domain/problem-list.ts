import { DomainError, type ErrorDetail } from '@cognition/platform/domain';

/** Codes of problems with the shape of the DAG, its references, expressions or step types. */
export const DAG_PROBLEM_CODES = [
  'NO_STEPS',
  'TOO_MANY_STEPS',
  'DUPLICATE_STEP_ID',
  'UNKNOWN_DEPENDENCY',
  'SELF_DEPENDENCY',
  'DEPENDENCY_CYCLE',
  'INVALID_EXPRESSION',
  'EXPRESSION_LIMIT',
  'UNKNOWN_STEP_REFERENCE',
  'REFERENCE_NOT_A_DEPENDENCY',
  'UNKNOWN_STEP_TYPE',
] as const;

/** Codes of problems with a single field's value. */
export const FIELD_PROBLEM_CODES = [
  'REQUIRED',
  'INVALID_TYPE',
  'INVALID_FORMAT',
  'OUT_OF_RANGE',
  'DUPLICATE',
  'INVALID_SCHEMA',
  'INVALID_CRON',
  'INVALID_TIMEZONE',
  'INVALID_PARAMS',
] as const;

export type DagProblemCode = (typeof DAG_PROBLEM_CODES)[number];
export type FieldProblemCode = (typeof FIELD_PROBLEM_CODES)[number];
export type ProblemCode = DagProblemCode | FieldProblemCode;

const DAG_CODES: ReadonlySet<string> = new Set(DAG_PROBLEM_CODES);

/**
 * Collects every problem found while validating, so one error can list them all.
 * The error's code is WORKFLOW_INVALID_DAG when any DAG problem is present, else VALIDATION_FAILED.
 */
export class ProblemList {
  private readonly items: ErrorDetail[] = [];

  add(path: string, code: ProblemCode, message: string): void {
    this.items.push({ path, code, message });
  }

  addAll(problems: readonly ErrorDetail[]): void {
    this.items.push(...problems);
  }

  get size(): number {
    return this.items.length;
  }

  toArray(): ErrorDetail[] {
    return this.items.map((item) => ({ ...item }));
  }

  toError(subject = 'workflow definition'): DomainError {
    const hasDagProblem = this.items.some((item) => item.code !== undefined && DAG_CODES.has(item.code));
    const [first] = this.items;
    const noun = this.items.length === 1 ? 'problem' : 'problems';
    const more = this.items.length > 1 ? ` (and ${this.items.length - 1} more)` : '';
    const detail = first ? `: ${first.path ? `${first.path}: ` : ''}${first.message}${more}` : '';
    return new DomainError(
      hasDagProblem ? 'WORKFLOW_INVALID_DAG' : 'VALIDATION_FAILED',
      `The ${subject} has ${this.items.length} ${noun}${detail}`,
      this.items.map((item) => withPointer(item)),
    );
  }

  throwIfAny(subject?: string): void {
    if (this.items.length > 0) throw this.toError(subject);
  }
}

/** Splits a problem path (`steps[2].params.url`, `params["x.y"]`) into its segments; null when it does not parse. */
export function pathSegments(path: string): string[] | null {
  const segments: string[] = [];
  const token = /^(?:\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;
  let rest = path;
  while (rest.length > 0) {
    const match = token.exec(rest);
    if (!match) return null;
    segments.push(match[1] ?? match[2] ?? (JSON.parse(match[3]) as string));
    rest = rest.slice(match[0].length);
  }
  return segments;
}

/** The RFC 6901 pointer of a problem path (`steps[2].params.url` → `/steps/2/params/url`), or undefined. */
export function pointerOf(path: string): string | undefined {
  const segments = pathSegments(path);
  return segments ? segments.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('') : undefined;
}

/** The path text of pointer segments under `base`: `.name`, `[2]`, or `["odd key"]`. */
export function appendPointer(base: string, pointer: string): string {
  if (pointer === '') return base;
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, s) => path + (/^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`), base);
}

function withPointer(item: ErrorDetail): ErrorDetail {
  if (item.pointer !== undefined || item.path === undefined) return { ...item };
  const pointer = pointerOf(item.path);
  return pointer === undefined ? { ...item } : { ...item, pointer };
}
