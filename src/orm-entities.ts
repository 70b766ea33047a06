import { DataSourceOptions } from 'typeorm';
import { Env } from './config/env.schema';
import { typeormOptions } from './platform/database/typeorm-options';
import { ApiKeyOrmEntity } from './platform/auth/api-key.orm-entity';
import { TenantOrmEntity } from './platform/tenancy/tenant.orm-entity';
import { WorkflowOrmEntity } from './modules/workflow/infrastructure/workflow.orm-entity';
import { AgentDefinitionOrmEntity } from './modules/agent/infrastructure/agent-definition.orm-entity';
import { AgentOrmEntity } from './modules/agent/infrastructure/agent.orm-entity';
import { AgentUsageEntryOrmEntity } from './modules/agent/infrastructure/agent-usage-entry.orm-entity';
import { TaskOrmEntity } from './modules/task/infrastructure/task.orm-entity';
import { TaskIdempotencyKeyOrmEntity } from './modules/task/infrastructure/task-idempotency-key.orm-entity';
import { TraceSpanOrmEntity } from './modules/trace/infrastructure/trace-span.orm-entity';

/** Every TypeORM entity of the app (composition root); the CLI data source and the migration drift check use this list. */
export const ORM_ENTITIES = [TenantOrmEntity, ApiKeyOrmEntity, WorkflowOrmEntity, AgentDefinitionOrmEntity, AgentOrmEntity, AgentUsageEntryOrmEntity, TaskOrmEntity, TaskIdempotencyKeyOrmEntity, TraceSpanOrmEntity];

/** The app's TypeORM options: the environment's connection with every entity. */
export function appTypeormOptions(env: Env): DataSourceOptions {
  return typeormOptions(env, ORM_ENTITIES);
}
