import type { Middleware } from 'openapi-fetch';
import { IDEMPOTENT_OPERATIONS } from './idempotent-operations';

const HEADER = 'Idempotency-Key';
const operations = new Set(IDEMPOTENT_OPERATIONS.map((o) => o.toUpperCase()));

/** A random key (UUID v4) for one logical request. */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * Sends an `Idempotency-Key` on every operation that takes one (execution starts, task and memory
 * creation) unless the call set its own, so that a retried request can never start the work twice.
 * A key the caller chose (`headers: {'Idempotency-Key': …}`) is what makes retries across process
 * restarts safe; the generated one covers the retries of one call.
 */
export function idempotencyMiddleware(generate: () => string = newIdempotencyKey): Middleware {
  return {
    onRequest({ request, schemaPath }) {
      if (!operations.has(`${request.method} ${schemaPath}`.toUpperCase()) || request.headers.has(HEADER)) return undefined;
      request.headers.set(HEADER, generate());
      return request;
    },
  };
}
