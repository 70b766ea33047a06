import { DomainError } from '@cognition/platform/domain';
import { isPlainObject } from '@cognition/platform/expressions';
import { NonRetryableStepError } from '@cognition/engine/contracts';

/** Fails the step at once when the params hold a key the step type does not know. */
export function checkKnownParams(type: string, params: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(params).filter((key) => !known.includes(key));
  if (unknown.length) throw new NonRetryableStepError('INVALID_PARAMS', `${type} does not take ${unknown.map((k) => JSON.stringify(k)).join(', ')}; its params are ${known.join(', ')}`);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value);
}

/**
 * Runs a memory command or query for a step: a DomainError (invalid input, unknown model…) would
 * fail the same way on every retry, so it fails the step at once with its code and problems; any
 * other error (database, provider outage) is retried per the step's retry policy.
 */
export async function asStepCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) {
      if (error.code === 'EMBEDDING_PROVIDER_ERROR') throw error;
      throw new NonRetryableStepError(error.code, error.message, error.errors);
    }
    throw error;
  }
}
