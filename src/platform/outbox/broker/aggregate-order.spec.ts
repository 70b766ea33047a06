import { publishInAggregateOrder } from './aggregate-order';
import { BrokerMessage } from './broker-message';

const msg = (id: string, aggregate: string): BrokerMessage => ({ id, aggregateKey: aggregate, routingKey: 't.A.E', body: Buffer.from(id), payloadOmitted: false });

/** A broker whose confirmations the test releases one by one, in any order. */
function controlledBroker() {
  const sent: string[] = [];
  const pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const publish = (m: BrokerMessage) =>
    new Promise<void>((resolve, reject) => {
      sent.push(m.id);
      pending.set(m.id, { resolve, reject });
    });
  const settle = async (id: string, error?: Error) => {
    for (let i = 0; i < 20 && !pending.has(id); i++) await new Promise((r) => setImmediate(r));
    const p = pending.get(id);
    if (!p) throw new Error(`${id} was never sent`);
    pending.delete(id);
    if (error) p.reject(error);
    else p.resolve();
    await new Promise((r) => setImmediate(r));
  };
  return { sent, publish, settle };
}

describe('publishInAggregateOrder', () => {
  it('sends the next event of an aggregate only after the previous one is confirmed, and other aggregates meanwhile', async () => {
    const broker = controlledBroker();
    const batch = [msg('a1', 'A'), msg('b1', 'B'), msg('a2', 'A'), msg('b2', 'B')];
    const done = publishInAggregateOrder(batch, broker.publish);
    await new Promise((r) => setImmediate(r));
    expect(broker.sent).toEqual(['a1', 'b1']);
    await broker.settle('b1');
    expect(broker.sent).toEqual(['a1', 'b1', 'b2']);
    await broker.settle('a1');
    expect(broker.sent).toEqual(['a1', 'b1', 'b2', 'a2']);
    await broker.settle('b2');
    await broker.settle('a2');
    await expect(done).resolves.toEqual({ confirmed: 4 });
  });

  it('stops an aggregate at its first failure, lets the others finish, and reports the confirmed prefix', async () => {
    const broker = controlledBroker();
    const batch = [msg('a1', 'A'), msg('b1', 'B'), msg('a2', 'A'), msg('b2', 'B'), msg('a3', 'A')];
    const done = publishInAggregateOrder(batch, broker.publish);
    await broker.settle('a1');
    await broker.settle('a2', new Error('timeout'));
    await broker.settle('b1');
    await broker.settle('b2');
    const result = await done;
    // a3 was never sent (a2 failed): nothing of A can overtake a2 when the batch is published again.
    expect(broker.sent).not.toContain('a3');
    expect(result.confirmed).toBe(2);
    expect((result.error as Error).message).toBe('timeout');
  });

  it('reports the earliest failure in batch order when several aggregates fail', async () => {
    const broker = controlledBroker();
    const done = publishInAggregateOrder([msg('a1', 'A'), msg('b1', 'B')], broker.publish);
    await broker.settle('b1', new Error('second'));
    await broker.settle('a1', new Error('first'));
    expect(await done).toEqual({ confirmed: 0, error: new Error('first') });
  });

  it('an empty batch confirms nothing and fails nothing', async () => {
    expect(await publishInAggregateOrder([], () => Promise.reject(new Error('never')))).toEqual({ confirmed: 0 });
  });
});
