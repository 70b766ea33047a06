import { Injectable } from '@nestjs/common';
import type { DomainEvent } from '@cognition/platform/domain';
import { DurableEventHandler, DurableEventsHandler } from '@cognition/platform/outbox/durable-events-handler.decorator';
import { projectSpans, TRACED_EVENTS } from '../../domain/span-projection';
import { TraceSpanRepository } from '../../domain/trace-span.repository.port';

/**
 * Writes the span tree from execution, step, task and agent events. Durable: every event at least
 * once, in commit order, from a checkpoint. Each write is one idempotent upsert (no transaction
 * needed): re-delivered events change nothing, and an older event never undoes a newer one.
 * A run of events is written in one round trip and one commit (`applyAll`) instead of a round trip
 * and a commit per span, which is what lets the projection keep up with the engine.
 */
@Injectable()
@DurableEventsHandler('trace-spans', ...TRACED_EVENTS)
export class ProjectSpansOnDomainEventsEventHandler implements DurableEventHandler {
  constructor(private readonly spans: TraceSpanRepository) {}

  async handle(event: DomainEvent): Promise<void> {
    for (const write of projectSpans(event)) await this.spans.apply(write);
  }

  async handleBatch(events: DomainEvent[]): Promise<void> {
    await this.spans.applyAll(events.flatMap((event) => projectSpans(event)));
  }
}
