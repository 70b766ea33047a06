import { Module, OnModuleInit } from '@nestjs/common';
import { EventTypeRegistry } from '@cognition/platform/outbox/event-type.registry';
import { Sleeper } from '@cognition/platform/outbound-http/sleeper';
import { MemoriesController } from './api/memories.controller';
import { CreateMemoriesCommandHandler } from './application/commands/create-memories/create-memories.command-handler';
import { DeleteMemoryCommandHandler } from './application/commands/delete-memory/delete-memory.command-handler';
import { UpdateMemoryCommandHandler } from './application/commands/update-memory/update-memory.command-handler';
import { GetMemoryQueryHandler } from './application/queries/get-memory/get-memory.query-handler';
import { ListMemoriesQueryHandler } from './application/queries/list-memories/list-memories.query-handler';
import { ListMemoryRevisionsQueryHandler } from './application/queries/list-memory-revisions/list-memory-revisions.query-handler';
import { SearchMemoriesQueryHandler } from './application/queries/search-memories/search-memories.query-handler';
import { MemorySearchController } from './api/memory-search.controller';
import { MEMORY_EVENTS } from './contracts';
import { EmbeddingModels } from './domain/embedding-models.port';
import { MemoryRepository } from './domain/memory.repository.port';
import { EMBEDDING_PROVIDER } from './infrastructure/embedding-provider.factory';
import { MemoryIdempotencyKeys } from './infrastructure/memory-idempotency-keys';
import { MemoryReadModel } from './infrastructure/memory-read-model';
import { MemorySearchAccessRecorder } from './infrastructure/memory-search-access.recorder';
import { MemorySearchPool } from './infrastructure/memory-search.pool';
import { MemorySearchReader } from './infrastructure/memory-search.reader';
import { MemorySql } from './infrastructure/memory-sql';
import { PgEmbeddingModels } from './infrastructure/pg-embedding-models';
import { PgMemoryRepository } from './infrastructure/pg-memory.repository';
import { MemoryCollectionsController } from './api/memory-collections.controller';
import { MemoryPoliciesController } from './api/memory-policies.controller';
import { AddMemoryToCollectionCommandHandler } from './application/commands/add-memory-to-collection/add-memory-to-collection.command-handler';
import { ApplyMemoryPolicyCommandHandler } from './application/commands/apply-memory-policy/apply-memory-policy.command-handler';
import { MemoryPolicyExecutor } from './application/commands/apply-memory-policy/memory-policy.executor';
import { MemoryPolicyPlanner } from './application/commands/apply-memory-policy/memory-policy.planner';
import { MemorySummarizer } from './application/commands/apply-memory-policy/memory-summarizer';
import { CreateMemoryCollectionCommandHandler } from './application/commands/create-memory-collection/create-memory-collection.command-handler';
import { CreateMemoryPolicyCommandHandler } from './application/commands/create-memory-policy/create-memory-policy.command-handler';
import { DeleteMemoryCollectionCommandHandler } from './application/commands/delete-memory-collection/delete-memory-collection.command-handler';
import { DeleteMemoryPolicyCommandHandler } from './application/commands/delete-memory-policy/delete-memory-policy.command-handler';
import { RemoveMemoryFromCollectionCommandHandler } from './application/commands/remove-memory-from-collection/remove-memory-from-collection.command-handler';
import { UpdateMemoryPolicyCommandHandler } from './application/commands/update-memory-policy/update-memory-policy.command-handler';
import { VectorIndexer } from './application/indexing/vector-indexer';
import { MemoryMaintenance } from './application/maintenance/memory-maintenance';
import { GetMemoryCollectionQueryHandler } from './application/queries/get-memory-collection/get-memory-collection.query-handler';
import { GetMemoryPolicyQueryHandler } from './application/queries/get-memory-policy/get-memory-policy.query-handler';
import { ListCollectionMemoriesQueryHandler } from './application/queries/list-collection-memories/list-collection-memories.query-handler';
import { ListMemoryCollectionsQueryHandler } from './application/queries/list-memory-collections/list-memory-collections.query-handler';
import { ListMemoryPoliciesQueryHandler } from './application/queries/list-memory-policies/list-memory-policies.query-handler';
import { MemoryCollectionRepository } from './domain/collections/memory-collection.repository.port';
import { MemoryPolicyRepository } from './domain/lifecycle/memory-policy.repository.port';
import { MemoryCollectionReads } from './infrastructure/memory-collection.reads';
import { MemoryCollectionSqlRepository } from './infrastructure/memory-collection.sql-repository';
import { MemoryMaintenanceSql } from './infrastructure/memory-maintenance.sql';
import { MemoryPolicyActionsWriter } from './infrastructure/memory-policy-actions.writer';
import { MemoryPolicyPlanReader } from './infrastructure/memory-policy-plan.reader';
import { MemoryPolicyReads } from './infrastructure/memory-policy.reads';
import { MemoryPolicySqlRepository } from './infrastructure/memory-policy.sql-repository';
import { MemorySearchStepType } from './step-types/memory-search.step-type';
import { MemoryStoreStepType } from './step-types/memory-store.step-type';

/** Long-term memory on pgvector: memories, embeddings, search, collections, lifecycle policies. */
@Module({
  controllers: [
    // memories, search, collections, policies controllers
    MemoriesController,
    MemorySearchController,
    MemoryCollectionsController,
    MemoryPoliciesController,
  ],
  providers: [
    // core: embedding providers, models registry, repository, CRUD handlers
    Sleeper,
    MemorySql,
    EMBEDDING_PROVIDER,
    { provide: EmbeddingModels, useClass: PgEmbeddingModels },
    { provide: MemoryRepository, useClass: PgMemoryRepository },
    MemoryReadModel,
    MemoryIdempotencyKeys,
    VectorIndexer,
    CreateMemoriesCommandHandler,
    UpdateMemoryCommandHandler,
    DeleteMemoryCommandHandler,
    GetMemoryQueryHandler,
    ListMemoriesQueryHandler,
    ListMemoryRevisionsQueryHandler,
    // search
    MemorySearchPool,
    MemorySearchReader,
    MemorySearchAccessRecorder,
    SearchMemoriesQueryHandler,
    // collections, policies, maintenance, step types
    { provide: MemoryCollectionRepository, useClass: MemoryCollectionSqlRepository },
    MemoryCollectionReads,
    CreateMemoryCollectionCommandHandler,
    DeleteMemoryCollectionCommandHandler,
    AddMemoryToCollectionCommandHandler,
    RemoveMemoryFromCollectionCommandHandler,
    GetMemoryCollectionQueryHandler,
    ListMemoryCollectionsQueryHandler,
    ListCollectionMemoriesQueryHandler,
    { provide: MemoryPolicyRepository, useClass: MemoryPolicySqlRepository },
    MemoryPolicyReads,
    MemoryPolicyPlanReader,
    MemoryPolicyActionsWriter,
    MemoryPolicyPlanner,
    MemoryPolicyExecutor,
    MemorySummarizer,
    CreateMemoryPolicyCommandHandler,
    UpdateMemoryPolicyCommandHandler,
    DeleteMemoryPolicyCommandHandler,
    ApplyMemoryPolicyCommandHandler,
    GetMemoryPolicyQueryHandler,
    ListMemoryPoliciesQueryHandler,
    MemoryMaintenanceSql,
    MemoryMaintenance,
    MemoryStoreStepType,
    MemorySearchStepType,
  ],
})
export class MemoryModule implements OnModuleInit {
  constructor(private readonly eventTypes: EventTypeRegistry) {}

  onModuleInit(): void {
    this.eventTypes.register(...MEMORY_EVENTS);
  }
}
