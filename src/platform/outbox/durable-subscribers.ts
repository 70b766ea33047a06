import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { DURABLE_HANDLER, DurableEventHandler, DurableHandlerOptions } from './durable-events-handler.decorator';
import { EventTypeRegistry } from './event-type.registry';

/** A provider marked `@DurableEventsHandler`: its stable name, the event types it takes, the handler. */
export interface DurableSubscriber {
  name: string;
  types: ReadonlySet<string>;
  handler: DurableEventHandler;
}

/**
 * The durable subscribers of this process, discovered once (on first use) among the providers; their
 * event classes are registered so rows read back become real instances. The relay feeds them live;
 * replays and dead-letter retries (the events module) deliver to them through the same list.
 */
@Injectable()
export class DurableSubscribers {
  private found?: DurableSubscriber[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registry: EventTypeRegistry,
  ) {}

  list(): readonly DurableSubscriber[] {
    this.found ??= this.discover();
    return this.found;
  }

  get(name: string): DurableSubscriber | undefined {
    return this.list().find((s) => s.name === name);
  }

  private discover(): DurableSubscriber[] {
    const subscribers = this.discovery
      .getProviders()
      .filter((w) => w.metatype && w.instance && Reflect.getMetadata(DURABLE_HANDLER, w.metatype))
      .map((w) => {
        const options = Reflect.getMetadata(DURABLE_HANDLER, w.metatype!) as DurableHandlerOptions;
        this.registry.register(...options.events);
        return { name: options.name, types: new Set(options.events.map((e) => e.name)), handler: w.instance as DurableEventHandler };
      });
    const names = subscribers.map((s) => s.name);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    if (twice.length) throw new Error(`Two durable subscribers share the name ${twice[0]}: each needs its own checkpoint`);
    return subscribers.sort((a, b) => a.name.localeCompare(b.name));
  }
}
