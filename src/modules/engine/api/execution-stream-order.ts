import { DomainEvent } from '@cognition/platform/domain';
import { EnvelopeRow, EventEnvelope, envelopeOfEvent, envelopeOfRow } from '@cognition/platform/outbox/event-envelope';

/**
 * Where an event sits in a stream: `(tx_id, position)` of its `domain_events` row, the order in
 * which the outbox relay publishes. `position` alone is not a commit order: transactions commit out
 * of position order, so a cursor on `position` skips events committed late.
 */
export interface StreamKey {
  txId: bigint;
  position: bigint;
}

export const STREAM_START: StreamKey = { txId: 0n, position: 0n };

export function compareKeys(a: StreamKey, b: StreamKey): number {
  if (a.txId !== b.txId) return a.txId < b.txId ? -1 : 1;
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return 0;
}

/** The envelope of SPEC §7 (the platform's one mapper), plus `executionId` for convenience. */
export interface StreamEnvelope extends EventEnvelope {
  executionId: string;
}

export interface StreamEvent {
  key: StreamKey;
  envelope: StreamEnvelope;
}

/**
 * The pure part of a stream: remembers the last key sent and lets through only what comes after
 * it, so whatever mix of history rows and live events arrives, each event goes out once, in order.
 */
export class StreamOrder {
  constructor(private lastKey: StreamKey = STREAM_START) {}

  get last(): StreamKey {
    return this.lastKey;
  }

  /** True (and the event becomes the last one sent) when it comes after everything sent so far. */
  accept(key: StreamKey): boolean {
    if (compareKeys(key, this.lastKey) <= 0) return false;
    this.lastKey = key;
    return true;
  }

  /** Events buffered while the history was read, in stream order (`accept` then drops repeats). */
  static sorted<E extends { key: StreamKey }>(events: E[]): E[] {
    return [...events].sort((a, b) => compareKeys(a.key, b.key));
  }
}

/** The stream's envelope of an event read back from the outbox (a row or a published event). */
export function streamEnvelope(event: EnvelopeRow | DomainEvent<object>): StreamEnvelope {
  const envelope = event instanceof DomainEvent ? envelopeOfEvent(event) : envelopeOfRow(event);
  return { ...envelope, executionId: envelope.aggregateId };
}
