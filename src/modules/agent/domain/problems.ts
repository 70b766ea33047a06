import { DomainError, type ErrorDetail } from '@cognition/platform/domain';

/** Codes of the problems the agent domain reports in `errors[]`. */
export type AgentProblemCode =
  | 'REQUIRED'
  | 'INVALID_TYPE'
  | 'INVALID_FORMAT'
  | 'INVALID_VALUE'
  | 'OUT_OF_RANGE'
  | 'DUPLICATE'
  | 'IMMUTABLE'
  | 'INVALID_TEMPLATE'
  | 'TOOL_NOT_FOUND';

/**
 * Collects every problem found while validating, so one error lists them all. The error's code is
 * TOOL_NOT_FOUND when an unknown tool is among the problems, else VALIDATION_FAILED (both 422).
 */
export class Problems {
  private readonly items: ErrorDetail[] = [];

  add(path: string, code: AgentProblemCode, message: string): void {
    this.items.push({ path, code, message });
  }

  get size(): number {
    return this.items.length;
  }

  toArray(): ErrorDetail[] {
    return this.items.map((item) => ({ ...item }));
  }

  throwIfAny(subject: string): void {
    if (this.items.length === 0) return;
    const [first] = this.items;
    const more = this.items.length > 1 ? ` (and ${this.items.length - 1} more)` : '';
    const noun = this.items.length === 1 ? 'problem' : 'problems';
    const code = this.items.some((item) => item.code === 'TOOL_NOT_FOUND') ? 'TOOL_NOT_FOUND' : 'VALIDATION_FAILED';
    throw new DomainError(code, `The ${subject} has ${this.items.length} ${noun}: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`, this.toArray());
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** A number in [min, max] (integer when asked); reports a problem and returns undefined otherwise. */
export function readNumber(
  value: unknown,
  path: string,
  problems: Problems,
  rule: { min: number; max: number; integer?: boolean; exclusiveMin?: boolean },
): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
    problems.add(path, 'INVALID_TYPE', `must be ${rule.integer ? 'an integer' : 'a number'}, got ${describe(value)}`);
    return undefined;
  }
  const tooLow = rule.exclusiveMin ? value <= rule.min : value < rule.min;
  if (tooLow || value > rule.max) {
    const low = rule.exclusiveMin ? `greater than ${rule.min}` : `at least ${rule.min}`;
    problems.add(path, 'OUT_OF_RANGE', `must be ${low} and at most ${rule.max}, got ${value}`);
    return undefined;
  }
  return value;
}

/** A string matching `pattern` (described by `format`), or undefined. */
export function readPattern(value: unknown, path: string, problems: Problems, pattern: RegExp, format: string): string | undefined {
  if (typeof value !== 'string') {
    problems.add(path, value === undefined || value === null ? 'REQUIRED' : 'INVALID_TYPE', value === undefined || value === null ? 'is required' : `must be a string, got ${describe(value)}`);
    return undefined;
  }
  if (!pattern.test(value)) {
    problems.add(path, 'INVALID_FORMAT', `${JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)} must be ${format}`);
    return undefined;
  }
  return value;
}

/**
 * A list of unique strings, each checked by `item` (which reports its own problems and returns
 * false when invalid). Absent means empty.
 */
export function readUniqueStrings(
  value: unknown,
  path: string,
  problems: Problems,
  rule: { maxItems: number; item: (text: string, itemPath: string) => boolean },
): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.add(path, 'INVALID_TYPE', `must be an array of strings, got ${describe(value)}`);
    return [];
  }
  if (value.length > rule.maxItems) problems.add(path, 'OUT_OF_RANGE', `must have at most ${rule.maxItems} items, got ${value.length}`);
  const seen = new Set<string>();
  value.forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    if (typeof item !== 'string') {
      problems.add(itemPath, 'INVALID_TYPE', `must be a string, got ${describe(item)}`);
      return;
    }
    if (seen.has(item)) {
      problems.add(itemPath, 'DUPLICATE', `${JSON.stringify(item)} is listed twice`);
      return;
    }
    if (rule.item(item, itemPath)) seen.add(item);
  });
  return [...seen];
}
