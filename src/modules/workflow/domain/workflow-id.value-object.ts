/** Client-chosen workflow slug (SPEC section 1). */
export const WORKFLOW_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,254}$/;

export class WorkflowId {
  static isValid(value: unknown): value is string {
    return typeof value === 'string' && WORKFLOW_ID_PATTERN.test(value);
  }

  static formatMessage(value: unknown): string {
    return `workflow id ${JSON.stringify(value)} must be 1-255 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit`;
  }
}
