/**
 * The public surface for applications that import CognitionOS's Nest modules: the core module,
 * the feature modules and their contracts (commands, queries, events, types), and the platform
 * pieces an extension needs (domain events, durable subscribers, errors).
 */
export { CognitionOsCoreModule, AppModule } from './app.module';
export { createApp } from './platform/http/create-app';
/** Applies our migrations (shipped in the package) to the database the environment names; `cognition-os migration:run` does the same. */
export { runMigrations } from './cli/migrations';
/** Our validated settings (read from the environment), injectable wherever the core module is imported. */
export { AppConfig } from './config/app-config';
export { validateEnv, type Env } from './config/env.schema';

export * from './platform/domain';
export { DurableEventsHandler, type DurableEventHandler } from './platform/outbox/durable-events-handler.decorator';
export { OutboxWriter } from './platform/outbox/outbox.writer';
export { BackgroundJobs } from './platform/background/background-jobs';
export type { BackgroundLoop, LoopSpec } from './platform/background/background-loop';
export { PgListener, type ChannelSubscriber } from './platform/database/pg-listener';
/** Retention: mark a provider @RetentionJob to have it pruned with ours (docs/operations.md, "Retention"). */
export { RetentionJob, type RetentionJobHandler, type RetentionJobOptions, type RetentionRun, type RetentionResult, type RetentionDb } from './platform/retention/retention-job';
export { RetentionRunner, type RetentionReport, type RetentionJobReport, type RetentionRunOptions } from './platform/retention/retention-runner';
export { ApiKeyService } from './platform/auth/api-key.service';
export { Public } from './platform/auth/public.decorator';
export { TenantId } from './platform/auth/tenant-id.decorator';
/** Your own controllers' DTO bodies and queries, validated as ours are (createApp sets no global pipe). */
export { ValidBody, ValidQuery } from './platform/errors/validation.pipe';

export { WorkflowModule } from './modules/workflow/workflow.module';
export { EngineModule } from './modules/engine/engine.module';
export * from './modules/engine/contracts';
export * from './modules/workflow/contracts';

export { TaskModule } from './modules/task/task.module';
export { AgentModule } from './modules/agent/agent.module';
export { TraceModule } from './modules/trace/trace.module';
export * from './modules/task/contracts';
export * from './modules/agent/contracts';
export * from './modules/trace/contracts';
export { MemoryModule } from './modules/memory/memory.module';
export * from './modules/memory/contracts';
export { EventsModule } from './modules/events/events.module';
export * from './modules/events/contracts';
