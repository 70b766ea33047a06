import { Logger } from '@nestjs/common';
import { DomainEvent } from '@cognition/platform/domain';
import type { AppConfig } from '@cognition/config/app-config';
import { BATCH_MAX, DurableDelivery } from './durable-delivery';
import { EventTypeRegistry, StoredEventRow } from './event-type.registry';
import { handlerFailureOf, retryDelayMs } from './handler-failure';

const config = (max: number) => ({ get: (k: string) => ({ EVENT_HANDLER_MAX_ATTEMPTS: max, EVENT_HANDLER_RETRY_BASE_MS: 100, EVENT_HANDLER_RETRY_MAX_MS: 1000 })[k] }) as unknown as AppConfig;
const row = (n: number, type = 'Thing'): StoredEventRow => ({
  id: `e${n}`,
  position: String(n),
  tx_id: String(100 + n),
  tenant_id: 't',
  type,
  aggregate_type: 'A',
  aggregate_id: 'a',
  payload: { n },
  occurred_at: new Date(),
  correlation_id: null,
});

function subscriber(failOn: Set<number>) {
  const seen: number[] = [];
  return {
    seen,
    s: {
      name: 'sub',
      types: new Set(['Thing']),
      handler: {
        handle: async (e: DomainEvent) => {
          const n = (e.payload as { n: number }).n;
          if (failOn.has(n)) throw Object.assign(new Error(`no ${n}`), { code: 'E_NO' });
          seen.push(n);
        },
      },
    },
  };
}

describe('durable delivery', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));
  const start = { cursor: { txId: '0', position: '0' }, retry: null };

  it('delivers in order; other types only move the cursor', async () => {
    const { s, seen } = subscriber(new Set());
    const result = await new DurableDelivery(new EventTypeRegistry(), config(3)).deliver(s, [row(1), row(2, 'Other'), row(3)], start, async () => undefined);
    expect(seen).toEqual([1, 3]);
    expect(result).toMatchObject({ cursor: { txId: '103', position: '3' }, retry: null, delivered: 2, deadLettered: 0, blockedUntil: null });
  });

  it('stops at a failing event with its retry state, and the cursor before it', async () => {
    const { s, seen } = subscriber(new Set([2]));
    const before = Date.now();
    const result = await new DurableDelivery(new EventTypeRegistry(), config(3)).deliver(s, [row(1), row(2), row(3)], start, async () => undefined);
    expect(seen).toEqual([1]);
    expect(result.cursor).toEqual({ txId: '101', position: '1' });
    expect(result.retry).toMatchObject({ eventId: 'e2', attempts: 1, error: { message: 'no 2', code: 'E_NO' } });
    expect(result.blockedUntil!.getTime()).toBeGreaterThanOrEqual(before + 100);
  });

  it('does not try a retry before it is due; dead-letters on the last attempt and goes on', async () => {
    const { s, seen } = subscriber(new Set([2]));
    const delivery = new DurableDelivery(new EventTypeRegistry(), config(3));
    const later = { eventId: 'e2', attempts: 2, at: new Date(Date.now() + 60_000), error: { message: 'x' } };
    const waiting = await delivery.deliver(s, [row(2), row(3)], { cursor: start.cursor, retry: later }, async () => undefined);
    expect(seen).toEqual([]);
    expect(waiting).toMatchObject({ retry: later, blockedUntil: later.at, cursor: start.cursor });

    const dead: [string, number][] = [];
    const due = { ...later, at: new Date(Date.now() - 1) };
    const result = await delivery.deliver(s, [row(2), row(3)], { cursor: start.cursor, retry: due }, async (r, attempts) => void dead.push([r.id, attempts]));
    expect(dead).toEqual([['e2', 3]]);
    expect(seen).toEqual([3]);
    expect(result).toMatchObject({ cursor: { position: '3' }, retry: null, delivered: 1, deadLettered: 1, blockedUntil: null });
  });

  it('forgets a retry state about another event (the cursor was moved)', async () => {
    const { s, seen } = subscriber(new Set());
    const stale = { eventId: 'e9', attempts: 4, at: new Date(Date.now() + 60_000), error: { message: 'x' } };
    const result = await new DurableDelivery(new EventTypeRegistry(), config(5)).deliver(s, [row(1)], { cursor: start.cursor, retry: stale }, async () => undefined);
    expect(seen).toEqual([1]);
    expect(result.retry).toBeNull();
  });

  it('backs off exponentially up to the cap, and keeps storable errors', () => {
    const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 60].map((a) => retryDelayMs(policy, a))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(handlerFailureOf(new Error('a\u0000b'))).toEqual({ message: 'a\\u0000b' });
    expect(handlerFailureOf('plain')).toEqual({ message: 'plain' });
    expect(handlerFailureOf(new Error('x'.repeat(3000))).message).toHaveLength(2001);
    expect(handlerFailureOf(Object.assign(new Error('m'), { code: 42 }))).toEqual({ message: 'm' });
  });

  describe('with handleBatch', () => {
    function batching(failOn: Set<number>) {
      const seen: number[] = [];
      const batches: number[][] = [];
      const handle = async (e: DomainEvent) => {
        const n = (e.payload as { n: number }).n;
        if (failOn.has(n)) throw Object.assign(new Error(`no ${n}`), { code: 'E_NO' });
        seen.push(n);
      };
      const handleBatch = async (events: DomainEvent[]) => {
        const ns = events.map((e) => (e.payload as { n: number }).n);
        if (ns.some((n) => failOn.has(n))) throw new Error('batch failed'); // all or nothing
        batches.push(ns);
        seen.push(...ns);
      };
      return { seen, batches, s: { name: 'sub', types: new Set(['Thing']), handler: { handle, handleBatch } } };
    }

    it('hands a run of events to one call; other types only move the cursor', async () => {
      const { s, seen, batches } = batching(new Set());
      const rows = [row(1), row(2, 'Other'), row(3), row(4), row(5, 'Other')];
      const result = await new DurableDelivery(new EventTypeRegistry(), config(3)).deliver(s, rows, start, async () => undefined);
      expect(batches).toEqual([[1, 3, 4]]);
      expect(seen).toEqual([1, 3, 4]);
      expect(result).toMatchObject({ cursor: { txId: '105', position: '5' }, retry: null, delivered: 3, blockedUntil: null });
    });

    it('splits runs at BATCH_MAX', async () => {
      const { s, batches } = batching(new Set());
      const rows = Array.from({ length: BATCH_MAX + 3 }, (_, i) => row(i + 1));
      const result = await new DurableDelivery(new EventTypeRegistry(), config(3)).deliver(s, rows, start, async () => undefined);
      expect(batches.map((b) => b.length)).toEqual([BATCH_MAX, 3]);
      expect(result.delivered).toBe(BATCH_MAX + 3);
    });

    it('after a failed batch, goes one by one: the events before the failing one are delivered, the failing one gets the retry rule', async () => {
      const { s, seen, batches } = batching(new Set([3]));
      const result = await new DurableDelivery(new EventTypeRegistry(), config(3)).deliver(s, [row(1), row(2), row(3), row(4)], start, async () => undefined);
      expect(batches).toEqual([]);
      expect(seen).toEqual([1, 2]);
      expect(result).toMatchObject({ cursor: { position: '2' }, retry: { eventId: 'e3', attempts: 1 }, delivered: 2 });
    });

    it('an event with a due retry goes alone, then the rest goes as a batch; dead letters still happen', async () => {
      const { s, seen, batches } = batching(new Set([2]));
      const due = { eventId: 'e2', attempts: 2, at: new Date(Date.now() - 1), error: { message: 'x' } };
      const dead: string[] = [];
      const result = await new DurableDelivery(new EventTypeRegistry(), config(3)).deliver(s, [row(2), row(3), row(4)], { cursor: start.cursor, retry: due }, async (r) => void dead.push(r.id));
      expect(dead).toEqual(['e2']);
      expect(batches).toEqual([[3, 4]]);
      expect(seen).toEqual([3, 4]);
      expect(result).toMatchObject({ cursor: { position: '4' }, retry: null, delivered: 2, deadLettered: 1 });
    });
  });
});
