import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainError } from '../../../platform/domain';
import { isPlainObject } from '../../../platform/expressions';
import { ListAgentDefinitionsQuery } from '../../agent/contracts';
import { CreateTaskCommand, NewTask, TASK_PRIORITIES, TaskError, TaskPriority, TaskView } from '../../task/contracts';
import { NonRetryableStepError, StepContext, StepError, StepHandler, StepOutcome, StepType } from '../contracts';

/** The signal that carries a task's outcome to the step waiting for it (reserved: not sendable over the API). */
export const TASK_SIGNAL_PREFIX = 'task:';

export interface TaskOutcome {
  taskId: string;
  status: 'completed' | 'failed' | 'cancelled';
  output?: unknown;
  error?: TaskError | null;
}

/** Failures that a new task would meet again: the step fails at once, whatever its retry policy. */
const FINAL_TASK_ERRORS = new Set(['BUDGET_EXCEEDED', 'VALIDATION_FAILED', 'MODEL_BAD_REQUEST', 'MODEL_AUTH_FAILED', 'MODEL_PROVIDER_UNKNOWN']);

/**
 * `agent_task`: creates a task for an agent (linked to this step) and waits for it without holding a
 * worker; the step completes with the task's output or fails with its error (e.g. BUDGET_EXCEEDED).
 * Params: `prompt` (what to do; required), `name`, `input`, `agent` (a definition name: only its
 * agents take the task) or `agentDefinitionId`, `role` (preferred), `capabilities`, `priority`,
 * `maxAttempts`, `outputSchema`, `timeoutSeconds`.
 * The task is created with an idempotency key per step attempt, so a handler run twice creates one.
 */
@Injectable()
@StepType('agent_task')
export class AgentTaskStepType implements StepHandler {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  async execute(context: StepContext): Promise<unknown> {
    if (context.resume?.reason === 'signal') return outcome(context.resume.payload as TaskOutcome);
    if (context.resume?.reason === 'timeout') throw new NonRetryableStepError('AGENT_TASK_TIMEOUT', `the agent task did not finish within ${String(context.params.timeoutSeconds)} s`);
    const task = await this.createTask(context);
    if (task.status === 'completed' || task.status === 'failed' || task.status === 'cancelled') {
      return outcome({ taskId: task.id, status: task.status, output: task.output, error: task.error });
    }
    const timeout = context.params.timeoutSeconds;
    return StepOutcome.wait({ kind: 'signal', key: `${TASK_SIGNAL_PREFIX}${task.id}`, until: typeof timeout === 'number' ? new Date(Date.now() + timeout * 1000) : undefined });
  }

  private async createTask(context: StepContext): Promise<TaskView> {
    const task = await this.taskOf(context);
    try {
      return await this.commands.execute(new CreateTaskCommand(context.tenantId, task, `agent-task:${context.stepExecutionId}:${context.attempt}`));
    } catch (error) {
      if (error instanceof DomainError) throw new NonRetryableStepError(error.code, error.message, error.errors);
      throw error;
    }
  }

  private async taskOf(context: StepContext): Promise<NewTask> {
    const p = context.params;
    const problems: string[] = [];
    const text = (v: unknown) => typeof v === 'string' && v.trim() !== '';
    if (!text(p.prompt)) problems.push('`prompt` (what the agent should do) is required');
    if (p.name !== undefined && !text(p.name)) problems.push('`name` must be a non-empty string');
    if (p.agent !== undefined && !text(p.agent)) problems.push('`agent` must be an agent definition name');
    if (p.role !== undefined && !text(p.role)) problems.push('`role` must be a string');
    if (p.capabilities !== undefined && !(Array.isArray(p.capabilities) && p.capabilities.every(text))) problems.push('`capabilities` must be a list of strings');
    if (p.priority !== undefined && !TASK_PRIORITIES.includes(p.priority as TaskPriority)) problems.push(`\`priority\` must be one of ${TASK_PRIORITIES.join(', ')}`);
    if (p.maxAttempts !== undefined && !(Number.isInteger(p.maxAttempts) && (p.maxAttempts as number) >= 1)) problems.push('`maxAttempts` must be an integer ≥ 1');
    if (p.outputSchema !== undefined && !isPlainObject(p.outputSchema)) problems.push('`outputSchema` must be a JSON Schema object');
    if (p.timeoutSeconds !== undefined && !(typeof p.timeoutSeconds === 'number' && p.timeoutSeconds > 0)) problems.push('`timeoutSeconds` must be a number > 0');
    if (problems.length) throw new NonRetryableStepError('INVALID_PARAMS', `agent_task: ${problems.join('; ')}`);
    return {
      name: (p.name as string | undefined) ?? context.stepId,
      description: p.prompt as string,
      input: p.input ?? null,
      priority: p.priority as TaskPriority | undefined,
      requiredCapabilities: (p.capabilities as string[] | undefined) ?? [],
      preferredRole: (p.role as string | undefined) ?? null,
      agentDefinitionId: (p.agentDefinitionId as string | undefined) ?? (await this.definitionNamed(context.tenantId, p.agent as string | undefined)),
      maxAttempts: p.maxAttempts as number | undefined,
      outputSchema: (p.outputSchema as Record<string, unknown> | undefined) ?? null,
      workflowExecutionId: context.executionId,
      stepExecutionId: context.stepExecutionId,
    };
  }

  /** The newest definition with that name (any version). */
  private async definitionNamed(tenantId: string, name: string | undefined): Promise<string | null> {
    if (!name) return null;
    const { items } = await this.queries.execute(new ListAgentDefinitionsQuery(tenantId, { name, limit: 200 }));
    const newest = [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    if (!newest) throw new NonRetryableStepError('AGENT_DEFINITION_NOT_FOUND', `agent_task: no agent definition named "${name}"`);
    return newest.id;
  }
}

function outcome(task: TaskOutcome): unknown {
  if (task.status === 'completed') return task.output ?? null;
  if (task.status === 'cancelled') throw new NonRetryableStepError('TASK_CANCELLED', `agent task ${task.taskId} was cancelled`, { taskId: task.taskId });
  const code = task.error?.code ?? 'TASK_FAILED';
  // Retryable (a retry of the step creates a new task) unless the failure would repeat.
  throw new StepError(code, `agent task ${task.taskId} failed: ${task.error?.message ?? 'unknown error'}`, !FINAL_TASK_ERRORS.has(code), { taskId: task.taskId });
}
