import { DomainError, type ErrorDetail } from '@cognition/platform/domain';

/** Problem codes of memory input (the `code` of each `errors[]` entry). */
export type MemoryProblemCode = 'REQUIRED' | 'INVALID_TYPE' | 'INVALID_FORMAT' | 'OUT_OF_RANGE' | 'DUPLICATE' | 'EMBEDDING_MODEL_REQUIRED';

/**
 * Collects every problem of a request (all items of a batch) so one 422 lists them all. The code
 * is EMBEDDING_MODEL_REQUIRED when that is the only kind of problem, else VALIDATION_FAILED.
 */
export class MemoryProblems {
  private readonly items: ErrorDetail[] = [];

  add(path: string, code: MemoryProblemCode, message: string): void {
    this.items.push({ path, code, message });
  }

  get size(): number {
    return this.items.length;
  }

  toArray(): ErrorDetail[] {
    return this.items.map((item) => ({ ...item }));
  }

  throwIfAny(subject = 'memory'): void {
    if (this.items.length === 0) return;
    const [first] = this.items;
    const more = this.items.length > 1 ? ` (and ${this.items.length - 1} more)` : '';
    const noun = this.items.length === 1 ? 'problem' : 'problems';
    const message = `The ${subject} has ${this.items.length} ${noun}: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`;
    const onlyModel = this.items.every((item) => item.code === 'EMBEDDING_MODEL_REQUIRED');
    throw new DomainError(onlyModel ? 'EMBEDDING_MODEL_REQUIRED' : 'VALIDATION_FAILED', message, this.toArray());
  }
}

/** `items[3]` + `namespace` → `items[3].namespace`; no prefix → `namespace`. */
export function pathOf(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}
