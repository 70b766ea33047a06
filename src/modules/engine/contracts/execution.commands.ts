import { Command } from '@nestjs/cqrs';
import type { ExecutionView } from './execution.types';

export interface StartExecutionOptions {
  idempotencyKey?: string | null;
  triggeredBy?: 'api' | 'schedule' | 'parent';
  parentExecutionId?: string | null;
  parentStepExecutionId?: string | null;
}

/** Starts an execution of an active version (the given one, else the latest active). */
export class StartExecutionCommand extends Command<ExecutionView> {
  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly version: string | undefined,
    readonly inputs: Record<string, unknown>,
    readonly options: StartExecutionOptions = {},
  ) {
    super();
  }
}

/** Cancels a pending or running execution (and its sub-workflows); running handlers get an abort signal. */
export class CancelExecutionCommand extends Command<ExecutionView> {
  constructor(
    readonly tenantId: string,
    readonly executionId: string,
  ) {
    super();
  }
}

/** Resumes a failed execution from its failed and skipped steps, keeping completed outputs. */
export class RetryExecutionCommand extends Command<ExecutionView> {
  constructor(
    readonly tenantId: string,
    readonly executionId: string,
  ) {
    super();
  }
}

/** Delivers a named signal (with a payload) to an execution. */
export class SendSignalCommand extends Command<{ delivered: boolean }> {
  constructor(
    readonly tenantId: string,
    readonly executionId: string,
    readonly name: string,
    readonly payload: unknown,
  ) {
    super();
  }
}
