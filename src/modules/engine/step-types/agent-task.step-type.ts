import { Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { isPlainObject } from '@cognition/platform/expressions';
import { ListAgentDefinitionsQuery } from '@cognition/agent/contracts';
import { CreateTaskCommand, NewTask, TASK_PRIORITIES, TaskError, TaskPriority, TaskView } from '@cognition/task/contracts';
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
 * Params of `agent_task` (SPEC sections 4 and 5): `instructions` (what the agent should do; required),
 * `input` (any JSON the agent works on), `capabilities` (every one required of the agent),
 * `outputSchema` (the result must match it); and `name` (of the task; default the step id), `agent`
 * (a definition name: only its agents take the task) or `agentDefinitionId`, `priority`,
 * `maxAttempts`, `timeoutSeconds`. The role the task prefers is the step's `agentRole` field.
 * `prompt` and `role` (the params of earlier versions) are refused in new definitions; the handler
 * still reads them from definitions stored before (see docs/agents.md).
 */
export const AGENT_TASK_PARAMS = {
  type: 'object',
  required: ['instructions'],
  properties: {
    instructions: { type: 'string', minLength: 1, description: 'What the agent should do (the task description)' },
    input: { description: 'Any JSON the agent works on' },
    capabilities: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Capabilities the agent must have, every one' },
    outputSchema: { type: 'object', additionalProperties: true, description: "JSON Schema the agent's result must match" },
    name: { type: 'string', minLength: 1, description: 'The task name (default: the step id)' },
    agent: { type: 'string', minLength: 1, description: "An agent definition name: only that definition's agents take the task" },
    agentDefinitionId: { type: 'string', format: 'uuid', description: "Only this definition's agents take the task" },
    priority: { type: 'string', enum: [...TASK_PRIORITIES], default: 'medium' },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 100, description: 'Attempts of the task (default 3)' },
    timeoutSeconds: { type: 'number', exclusiveMinimum: 0, description: 'Fail with AGENT_TASK_TIMEOUT when the task has not finished by then' },
  },
  additionalProperties: false,
};

/**
 * `agent_task`: creates a task for an agent (linked to this step) and waits for it without holding a
 * worker; the step completes with the task's output or fails with its error (e.g. BUDGET_EXCEEDED).
 * Matching (SPEC section 5) prefers agents whose role is the step's `agentRole`.
 * The task is created with an idempotency key per step attempt, so a handler run twice creates one.
 */
@Injectable()
@StepType('agent_task', { params: AGENT_TASK_PARAMS })
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
    // `prompt` and `role`: definitions stored before `instructions` and the step's `agentRole`.
    const instructions = p.instructions ?? p.prompt;
    const role = context.agentRole ?? p.role;
    if (!text(instructions)) problems.push('`instructions` (what the agent should do) is required');
    if (p.name !== undefined && !text(p.name)) problems.push('`name` must be a non-empty string');
    if (p.agent !== undefined && !text(p.agent)) problems.push('`agent` must be an agent definition name');
    if (role !== undefined && role !== null && !text(role)) problems.push('`agentRole` must be a string');
    if (p.capabilities !== undefined && !(Array.isArray(p.capabilities) && p.capabilities.every(text))) problems.push('`capabilities` must be a list of strings');
    if (p.priority !== undefined && !TASK_PRIORITIES.includes(p.priority as TaskPriority)) problems.push(`\`priority\` must be one of ${TASK_PRIORITIES.join(', ')}`);
    if (p.maxAttempts !== undefined && !(Number.isInteger(p.maxAttempts) && (p.maxAttempts as number) >= 1)) problems.push('`maxAttempts` must be an integer ≥ 1');
    if (p.outputSchema !== undefined && !isPlainObject(p.outputSchema)) problems.push('`outputSchema` must be a JSON Schema object');
    if (p.timeoutSeconds !== undefined && !(typeof p.timeoutSeconds === 'number' && p.timeoutSeconds > 0)) problems.push('`timeoutSeconds` must be a number > 0');
    if (problems.length) throw new NonRetryableStepError('INVALID_PARAMS', `agent_task: ${problems.join('; ')}`);
    return {
      name: (p.name as string | undefined) ?? context.stepId,
      description: instructions as string,
      input: p.input ?? null,
      priority: p.priority as TaskPriority | undefined,
      requiredCapabilities: (p.capabilities as string[] | undefined) ?? [],
      preferredRole: (role as string | null | undefined) ?? null,
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
