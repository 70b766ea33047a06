import { DomainError } from '@cognition/platform/domain';

/** Step ids are CEL identifiers in templates (`steps.fetch_page.output`): no dots or hyphens. */
export const STEP_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export class StepId {
  private constructor(readonly value: string) {}

  static isValid(value: unknown): value is string {
    return typeof value === 'string' && STEP_ID_PATTERN.test(value);
  }

  static parse(value: string): StepId {
    if (!StepId.isValid(value)) {
      throw new DomainError('VALIDATION_FAILED', `"${value}" is not a valid step id`, [
        { path: 'id', code: 'INVALID_FORMAT', message: StepId.formatMessage(value) },
      ]);
    }
    return new StepId(value);
  }

  static formatMessage(value: unknown): string {
    return `step id ${JSON.stringify(value)} must start with a letter or underscore and contain only letters, digits and underscores (at most 64)`;
  }

  toString(): string {
    return this.value;
  }
}
