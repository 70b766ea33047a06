import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { isPlainObject } from '@cognition/platform/expressions';
import { NonRetryableStepError, StartExecutionCommand, StepContext, StepError, StepHandler, StepOutcome, StepType } from '../contracts';

interface ChildOutcome {
  executionId: string;
  status: string;
  outputs: unknown;
  error: { code?: string; message?: string } | null;
}

/**
 * `sub_workflow`: starts the child (`workflowId`, `version` or the latest active, `inputs`) and
 * waits for it without holding a worker; the output is the child's outputs. The child is started
 * with an idempotency key per attempt, so a handler run twice starts it once.
 */
export const SUB_WORKFLOW_PARAMS = {
  type: 'object',
  required: ['workflowId'],
  properties: {
    workflowId: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,254}$', description: 'The child workflow' },
    version: { anyOf: [{ type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' }, { enum: [null] }], description: 'Default: the latest active version' },
    inputs: { type: 'object', additionalProperties: true, description: "The child's inputs" },
  },
  additionalProperties: false,
};

@Injectable()
@StepType('sub_workflow', { params: SUB_WORKFLOW_PARAMS })
export class SubWorkflowStepType implements StepHandler {
  constructor(private readonly commands: CommandBus) {}

  async execute(context: StepContext): Promise<unknown> {
    if (context.resume) return this.outcome(context.resume.payload as ChildOutcome);
    const { workflowId, version, inputs } = context.params;
    if (typeof workflowId !== 'string' || (version !== undefined && version !== null && typeof version !== 'string') || (inputs !== undefined && !isPlainObject(inputs))) {
      throw new NonRetryableStepError('INVALID_PARAMS', 'sub_workflow needs `workflowId` (string), optional `version` (string) and `inputs` (object)');
    }
    try {
      const child = await this.commands.execute(
        new StartExecutionCommand(context.tenantId, workflowId, (version as string | null) ?? undefined, (inputs as Record<string, unknown>) ?? {}, {
          idempotencyKey: `sub-workflow:${context.stepExecutionId}:${context.attempt}`,
          triggeredBy: 'parent',
          parentExecutionId: context.executionId,
          parentStepExecutionId: context.stepExecutionId,
        }),
      );
      if (child.status !== 'running' && child.status !== 'pending') return this.outcome({ executionId: child.id, status: child.status, outputs: child.outputs, error: child.error });
      return StepOutcome.wait({ kind: 'child', key: child.id });
    } catch (error) {
      if (error instanceof DomainError) throw new NonRetryableStepError(error.code, error.message, error.errors);
      throw error;
    }
  }

  private outcome(child: ChildOutcome): unknown {
    if (child.status === 'completed') return child.outputs;
    if (child.status === 'cancelled') throw new NonRetryableStepError('CHILD_CANCELLED', `sub-workflow execution ${child.executionId} was cancelled`);
    // Retryable: a retry of this step starts a new child (the idempotency key carries the attempt).
    throw new StepError(child.error?.code ?? 'CHILD_FAILED', `sub-workflow execution ${child.executionId} failed: ${child.error?.message ?? 'unknown error'}`, true, { childExecutionId: child.executionId });
  }
}
