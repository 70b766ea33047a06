import { BrokerMessage } from './broker-message';

export interface OrderedPublishResult {
  /** How many messages, from the start of the batch, the broker confirmed (the checkpoint may pass them). */
  confirmed: number;
  /** The first failure, when not every message was confirmed. */
  error?: unknown;
}

/**
 * Publishes a batch (in checkpoint order) keeping each aggregate's order: the messages of one
 * aggregate go one after another, each only once the broker confirmed the previous one, so a
 * failure can never let a later event of an aggregate reach the broker before an earlier one
 * (retried from the checkpoint, the earlier one would arrive after it). Different aggregates go
 * concurrently. A failure stops its aggregate's chain; the other chains finish. The result is the
 * confirmed prefix: everything after the first unconfirmed message is published again by the next
 * pass (the broker de-duplicates by id on NATS; consumers de-duplicate on RabbitMQ).
 */
export async function publishInAggregateOrder(messages: readonly BrokerMessage[], publish: (m: BrokerMessage) => Promise<void>): Promise<OrderedPublishResult> {
  const chains = new Map<string, number[]>();
  messages.forEach((m, i) => {
    const chain = chains.get(m.aggregateKey);
    if (chain) chain.push(i);
    else chains.set(m.aggregateKey, [i]);
  });
  const done = new Array<boolean>(messages.length).fill(false);
  let firstError: { index: number; error: unknown } | undefined;
  await Promise.all(
    [...chains.values()].map(async (indexes) => {
      for (const i of indexes) {
        try {
          await publish(messages[i]);
          done[i] = true;
        } catch (error) {
          if (!firstError || i < firstError.index) firstError = { index: i, error };
          return;
        }
      }
    }),
  );
  const confirmed = done.indexOf(false) === -1 ? messages.length : done.indexOf(false);
  return confirmed === messages.length ? { confirmed } : { confirmed, error: firstError?.error };
}
