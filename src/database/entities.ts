import { ApiKeyOrmEntity } from '../platform/auth/api-key.orm-entity';
import { TenantOrmEntity } from '../platform/tenancy/tenant.orm-entity';
import { WorkflowOrmEntity } from '../modules/workflow/infrastructure/workflow.orm-entity';

/** Every TypeORM entity; the CLI data source and the migration drift check use this list. */
export const ORM_ENTITIES = [TenantOrmEntity, ApiKeyOrmEntity, WorkflowOrmEntity];
