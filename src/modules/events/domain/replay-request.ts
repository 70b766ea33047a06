import { DomainError, ErrorDetail } from '@cognition/platform/domain';
import type { ReplayFilter, ReplayRequest } from '../contracts';

const POSITION = /^\d{1,19}$/;
const MAX_POSITION = 9_223_372_036_854_775_807n;
const FIELDS = ['fromPosition', 'aggregateId', 'type'] as const;

/**
 * The filter of a replay: exactly one of `fromPosition` (a position ≥ 0, number or decimal string),
 * `aggregateId` or `type` (which must be one the subscriber takes). Every problem at once, as 422
 * VALIDATION_FAILED.
 */
export function replayFilterOf(request: ReplayRequest, subscriberTypes: ReadonlySet<string>): ReplayFilter {
  const given = FIELDS.filter((f) => request[f] !== undefined && request[f] !== null);
  const problems: ErrorDetail[] = [];
  if (given.length !== 1) {
    const message = given.length === 0 ? 'give one of fromPosition, aggregateId or type' : `give only one of fromPosition, aggregateId or type (got ${given.join(', ')})`;
    throw new DomainError('VALIDATION_FAILED', `A replay takes exactly one filter: ${message}`, [{ path: given.length ? given[1] : '', code: 'ONE_FILTER', message }]);
  }
  const field = given[0];
  if (field === 'fromPosition') {
    const raw = request.fromPosition;
    const text = typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : raw;
    if (typeof text !== 'string' || !POSITION.test(text) || BigInt(text) > MAX_POSITION) {
      problems.push({ path: 'fromPosition', code: 'INVALID_POSITION', message: 'must be a position: an integer ≥ 0 (a number, or a decimal string)' });
    } else return { fromPosition: BigInt(text).toString() };
  } else if (field === 'aggregateId') {
    const id = request.aggregateId;
    if (typeof id !== 'string' || id.length === 0 || id.length > 255) problems.push({ path: 'aggregateId', code: 'INVALID_VALUE', message: 'must be 1–255 characters' });
    else return { aggregateId: id };
  } else {
    const type = request.type;
    if (typeof type !== 'string' || type.length === 0 || type.length > 255) problems.push({ path: 'type', code: 'INVALID_VALUE', message: 'must be 1–255 characters' });
    else if (!subscriberTypes.has(type)) {
      problems.push({ path: 'type', code: 'TYPE_NOT_HANDLED', message: `the subscriber does not take ${type}; it takes ${[...subscriberTypes].sort().join(', ')}` });
    } else return { type };
  }
  throw new DomainError('VALIDATION_FAILED', `The replay request is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}
