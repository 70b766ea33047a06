/**
 * An expression or template could not be parsed or evaluated. The engine fails the step with
 * this `code` and the message (SPEC section 3).
 */
export class ExpressionError extends Error {
  readonly code: 'EXPRESSION_ERROR' | 'EXPRESSION_LIMIT' = 'EXPRESSION_ERROR';
  /** Evaluating the same expression again gives the same error: never worth a retry. */
  readonly retryable = false;

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

/**
 * An evaluation went over one of its limits (cost budget, wall time, or the size of a string,
 * list or map it built). The message names the limit. Not retryable: the same expression over the
 * same data goes over again.
 */
export class ExpressionLimitError extends ExpressionError {
  override readonly code = 'EXPRESSION_LIMIT' as const;

  constructor(message: string, expression?: string) {
    super(message, expression);
    this.name = 'ExpressionLimitError';
  }
}
