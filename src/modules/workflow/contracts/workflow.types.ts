/**
 * Plain, JSON-serializable shapes of a workflow definition. Other modules (the engine, the API)
 * read workflows through these types only; they never import the workflow domain. Type aliases
 * rather than interfaces, so the shapes are assignable to `Record<string, unknown>` (jsonb columns).
 */

export const WORKFLOW_STATUSES = ['draft', 'active', 'deprecated', 'archived'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

export type BackoffKind = 'fixed' | 'exponential';

export type RetryPolicyDefinition = {
  /** Total attempts including the first one (1–100). */
  maxAttempts: number;
  backoff: BackoffKind;
  initialDelayMs: number;
  maxDelayMs: number;
  jitter: boolean;
};

export type StepDefinition = {
  id: string;
  type: string;
  name: string;
  /** JSON object; strings may contain `${{ expr }}` templates. */
  params: Record<string, unknown>;
  dependsOn: string[];
  timeoutSeconds: number;
  retry: RetryPolicyDefinition;
  /** CEL expressions, null when absent. */
  condition: string | null;
  forEach: string | null;
  agentRole: string | null;
  concurrencyKey: string | null;
};

export type ScheduleDefinition = {
  /** Five-field cron expression: minute hour day-of-month month day-of-week. */
  cron: string;
  /** IANA time zone the cron is read in; `UTC` when the client gave none. */
  timezone: string;
};

export type WorkflowSnapshot = {
  tenantId: string;
  workflowId: string;
  /** SemVer `MAJOR.MINOR.PATCH`. */
  version: string;
  name: string;
  description: string | null;
  steps: StepDefinition[];
  status: WorkflowStatus;
  schedule: ScheduleDefinition | null;
  tags: string[];
  inputSchema: Record<string, unknown> | null;
  /** Output name → template, evaluated when an execution completes; null when not declared. */
  outputs: Record<string, unknown> | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Optimistic-concurrency counter (0 until first stored); not the semver `version`. */
  revision: number;
};

/** Read-only analysis of a workflow's DAG. */
export type WorkflowAnalysis = {
  /** Every step, dependencies first; ties broken by declaration order. */
  topologicalOrder: string[];
  /** Steps grouped by level (longest distance from a root); a level's steps can run in parallel. */
  levels: string[][];
  /** The longest chain of dependent steps, counted in steps, from a root to its end. */
  criticalPath: string[];
  /** Width of the widest level. */
  maxParallelism: number;
};

/** Step types the engine ships; Nest modules can register more (see DESIGN.md, the engine). */
export const BUILT_IN_STEP_TYPES = [
  'transform',
  'http_request',
  'delay',
  'wait_for_signal',
  'sub_workflow',
  'agent_task',
  'memory_store',
  'memory_search',
] as const;
