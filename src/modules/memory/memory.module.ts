import { Module, OnModuleInit } from '@nestjs/common';
import { EventTypeRegistry } from '../../platform/outbox/event-type.registry';
import { MEMORY_EVENTS } from './contracts';

/** Long-term memory on pgvector: memories, embeddings, search, collections, lifecycle policies. */
@Module({
  controllers: [
    // memories, search, collections, policies controllers
  ],
  providers: [
    // core: embedding providers, models registry, repository, CRUD handlers
    // search
    // collections, policies, maintenance, step types
  ],
})
export class MemoryModule implements OnModuleInit {
  constructor(private readonly eventTypes: EventTypeRegistry) {}

  onModuleInit(): void {
    this.eventTypes.register(...MEMORY_EVENTS);
  }
}
