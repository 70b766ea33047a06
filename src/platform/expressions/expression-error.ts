/**
 * An expression or template could not be parsed or evaluated. The engine fails the step with
 * this `code` and the message (SPEC section 3).
 */
export class ExpressionError extends Error {
  readonly code = 'EXPRESSION_ERROR' as const;

  constructor(
    message: string,
    /** The expression text that failed, when known. */
    readonly expression?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExpressionError';
  }
}
