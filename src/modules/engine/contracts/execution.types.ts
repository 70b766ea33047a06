export type ExecutionStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'waiting' | 'completed' | 'failed' | 'skipped' | 'cancelled';

export interface ExecutionError {
  code: string;
  message: string;
  stepId?: string;
}

export interface StepExecutionView {
  id: string;
  stepId: string;
  itemIndex: number | null;
  type: string;
  status: StepStatus;
  attempt: number;
  output: unknown;
  error: unknown;
  skipReason: string | null;
  agentId: string | null;
  taskId: string | null;
  availableAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface ExecutionView {
  id: string;
  workflowId: string;
  workflowVersion: string;
  status: ExecutionStatus;
  inputs: Record<string, unknown>;
  outputs: unknown;
  error: ExecutionError | null;
  parentExecutionId: string | null;
  idempotencyKey: string | null;
  triggeredBy: string;
  startedAt: string | null;
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The first page of steps (GET /executions/{id}). */
  steps?: StepExecutionView[];
  /** Where GET /executions/{id}/steps continues after `steps`; null when they are all. */
  stepsNextCursor?: string | null;
}
