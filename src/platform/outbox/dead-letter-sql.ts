import { newId } from '@cognition/platform/ids/uuid';
import type { StoredEventRow } from './event-type.registry';
import type { HandlerFailure } from './handler-failure';

/**
 * The first part of every statement that dead-letters an event ($1–$8, from `deadLetterParams`);
 * the statement goes on with the cursor move of whoever delivered it (the relay's checkpoint, a
 * replay's cursor), so both commit together. One open dead letter per (subscriber, event): failing
 * on it again (a replay) adds the attempts and keeps the newest error.
 */
export const DEAD_LETTER_CTE = `
  WITH dead AS (
    INSERT INTO dead_letters (id, subscriber, event_id, position, tenant_id, type, error, attempts)
    VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
    ON CONFLICT (subscriber, event_id) WHERE status = 'dead'
    DO UPDATE SET attempts = dead_letters.attempts + EXCLUDED.attempts, error = EXCLUDED.error
  )`;

export function deadLetterParams(subscriber: string, row: StoredEventRow, attempts: number, failure: HandlerFailure): unknown[] {
  return [newId(), subscriber, row.id, String(row.position), row.tenant_id, row.type, JSON.stringify(failure), attempts];
}
