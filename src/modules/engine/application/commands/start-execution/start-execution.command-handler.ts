import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import { AppConfig } from '@cognition/config/app-config';
import { DomainError } from '@cognition/platform/domain';
import { validateInputs } from '@cognition/platform/json-schema/json-schema';
import { limitsOf } from '@cognition/platform/limits/limits';
import { ExecutionView, StartExecutionCommand } from '@cognition/engine/contracts';
import { readExecution } from '@cognition/engine/infrastructure/execution-reads';
import { insertExecution, StartResult } from '@cognition/engine/infrastructure/execution-starter';
import { EngineSql } from '../../engine-sql';
import { StepWorker } from '../../worker/step-worker';
import { WorkflowPlans } from '../../workflow-plans';

@CommandHandler(StartExecutionCommand)
export class StartExecutionCommandHandler implements ICommandHandler<StartExecutionCommand, ExecutionView> {
  private readonly maxInputBytes: number;

  constructor(
    private readonly plans: WorkflowPlans,
    private readonly db: EngineSql,
    private readonly worker: StepWorker,
    config: AppConfig,
  ) {
    this.maxInputBytes = limitsOf(config.all).executionInputBytes;
  }

  /**
   * No transaction of its own: the start is one statement (execution, steps, event and wake-up,
   * insertExecution), atomic alone, so BEGIN and COMMIT would only add two round trips to every
   * start. Called inside a caller's transaction, it joins it (the SQL runner is the transaction's).
   * Outside one, when this process runs a worker with room, the same statement claims the first
   * steps for it: they start without a NOTIFY and a claim round trip (docs/architecture.md).
   */
  async execute({ tenantId, workflowId, version, inputs, options }: StartExecutionCommand): Promise<ExecutionView> {
    this.checkSize(inputs);
    const plan = await this.plans.startable(tenantId, workflowId, version);
    if (plan.inputSchema) {
      const problems = validateInputs(plan.inputSchema, inputs);
      if (problems.length) throw new DomainError('VALIDATION_FAILED', `The inputs do not match the workflow's inputSchema`, problems);
    }
    const key = options.idempotencyKey ?? null;
    const requestHash = key ? createHash('sha256').update(JSON.stringify([workflowId, version ?? null, inputs])).digest('hex') : null;
    const sql = this.db.sql;
    const claim = this.db.inTransaction ? undefined : this.worker.startClaim();
    let result: StartResult;
    try {
      result = await insertExecution(
        sql,
        {
          tenantId,
          plan,
          inputs,
          triggeredBy: options.triggeredBy ?? 'api',
          idempotencyKey: key,
          requestHash,
          parentExecutionId: options.parentExecutionId ?? null,
          parentStepExecutionId: options.parentStepExecutionId ?? null,
        },
        claim,
      );
    } catch (error) {
      if (claim) this.worker.takeStarted([], false);
      throw error;
    }
    if (!result.created) {
      if (claim) this.worker.takeStarted([], false);
      if (result.requestHash !== requestHash) throw new DomainError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${key} was used for a different request`);
      return (await readExecution(sql, tenantId, result.id, false))!;
    }
    if (claim) this.worker.takeStarted(result.claimed, result.drained);
    const now = new Date().toISOString();
    return {
      id: result.id,
      workflowId: plan.workflowId,
      workflowVersion: plan.version,
      status: 'running',
      inputs,
      outputs: null,
      error: null,
      parentExecutionId: options.parentExecutionId ?? null,
      idempotencyKey: key,
      triggeredBy: options.triggeredBy ?? 'api',
      startedAt: now,
      completedAt: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  /** Inputs over EXECUTION_INPUT_MAX_BYTES (as JSON) are refused: 413 PAYLOAD_TOO_LARGE, for the API, schedules and sub-workflows alike. */
  private checkSize(inputs: Record<string, unknown>): void {
    const json = JSON.stringify(inputs) ?? '';
    const bytes = json.length * 3 <= this.maxInputBytes ? json.length : Buffer.byteLength(json, 'utf8');
    if (bytes <= this.maxInputBytes) return;
    const message = `The inputs are ${bytes} bytes of JSON, more than the limit of ${this.maxInputBytes} (EXECUTION_INPUT_MAX_BYTES)`;
    throw new DomainError('PAYLOAD_TOO_LARGE', message, [{ path: 'inputs', code: 'EXECUTION_INPUT_TOO_LARGE', message }]);
  }
}
