import { DomainError, type ErrorCode, type ErrorDetail } from '@cognition/platform/domain';

/** Collects every problem found while validating tasks, so one error lists them all. */
export class TaskProblemList {
  private readonly items: ErrorDetail[] = [];

  add(path: string, code: string, message: string): void {
    this.items.push({ path, code, message });
  }

  get size(): number {
    return this.items.length;
  }

  toArray(): ErrorDetail[] {
    return this.items.map((item) => ({ ...item }));
  }

  /** Throws one DomainError with `code` listing every problem, if there is any. */
  throwIfAny(code: ErrorCode = 'VALIDATION_FAILED', subject = 'task'): void {
    if (this.items.length === 0) return;
    const [first] = this.items;
    const noun = this.items.length === 1 ? 'problem' : 'problems';
    const more = this.items.length > 1 ? ` (and ${this.items.length - 1} more)` : '';
    throw new DomainError(code, `The ${subject} has ${this.items.length} ${noun}: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`, this.toArray());
  }
}
