export const TASK_PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** PostgreSQL channel notified (in the writing transaction) when a task may have become claimable. */
export const TASKS_CHANNEL = 'cognitionos_tasks';

export const TASK_STATUSES = ['pending', 'assigned', 'in_progress', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface TaskError {
  code: string;
  message: string;
  details?: unknown;
}

/** What a client (or the agent_task step) asks for. Defaults: priority medium, maxAttempts 3. */
export interface NewTask {
  name: string;
  description?: string | null;
  priority?: TaskPriority;
  requiredCapabilities?: string[];
  /** The role the matching rule prefers (e.g. the agent_task step's `role`). */
  preferredRole?: string | null;
  /** Pins the task to agents of this definition (id). */
  agentDefinitionId?: string | null;
  dependencies?: string[];
  input?: unknown;
  /** JSON Schema the final answer must satisfy. */
  outputSchema?: Record<string, unknown> | null;
  maxAttempts?: number;
  userId?: string | null;
  sessionId?: string | null;
  goalId?: string | null;
  workflowExecutionId?: string | null;
  stepExecutionId?: string | null;
}

export interface TaskView {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  priority: TaskPriority;
  requiredCapabilities: string[];
  preferredRole: string | null;
  agentDefinitionId: string | null;
  dependencies: string[];
  input: unknown;
  outputSchema: Record<string, unknown> | null;
  output: unknown;
  error: TaskError | null;
  status: TaskStatus;
  assignedAgentId: string | null;
  /** Agents that gave the task up by escalating; matching avoids them. */
  excludedAgentIds: string[];
  attempt: number;
  maxAttempts: number;
  userId: string | null;
  sessionId: string | null;
  goalId: string | null;
  workflowExecutionId: string | null;
  stepExecutionId: string | null;
  startedAt: string | null;
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency version. */
  version: number;
}

/**
 * How a failed attempt ends:
 * - `fail`: the task fails for good (abort, budget exceeded, non-retryable errors);
 * - `requeue`: back to `pending` for any agent while attempts remain (else fails for good);
 *   with `excludeAgent`, the failing agent is not matched again (escalation);
 * - `reassign`: back to the same agent at once while attempts remain (the agent retries in place).
 */
export type TaskFailureDisposition = 'fail' | 'requeue' | 'reassign';
