import { UsageLedgerRetentionJob } from './modules/agent/infrastructure/usage-ledger.retention-job';
import { ExecutionsRetentionJob } from './modules/engine/infrastructure/executions.retention-job';
import { TraceSpansRetentionJob } from './modules/trace/infrastructure/trace-spans.retention-job';
import { DeadLettersRetentionJob } from './platform/outbox/dead-letters.retention-job';
import { DomainEventsRetentionJob } from './platform/outbox/domain-events.retention-job';
import { IdempotencyKeysRetentionJob } from './platform/retention/idempotency-keys.retention-job';

/**
 * Every retention job of the app (composition root, like orm-entities.ts). In the app each module
 * provides its own; the CLI, which loads none of the modules, provides these for `retention:run`.
 * The jobs need nothing but the retention session they are given, so they run anywhere.
 */
export const RETENTION_JOBS = [DomainEventsRetentionJob, ExecutionsRetentionJob, TraceSpansRetentionJob, IdempotencyKeysRetentionJob, UsageLedgerRetentionJob, DeadLettersRetentionJob];
