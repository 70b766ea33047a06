import { Injectable } from '@nestjs/common';
import { evaluateCondition, evaluateExpression, ExpressionError, renderTemplate } from '../../../../platform/expressions';
import { StepResume, StepWaitRequest } from '../../contracts';
import { ExecutionPlan } from '../../domain/execution-plan';
import { StepRow, stepContext } from '../../domain/step-context';
import { decideAfterFailure, toStepError } from '../../domain/step-failure';
import { ClaimedStep } from '../../infrastructure/step-claims';
import { StepResult } from '../../infrastructure/step-result';
import { StepHandlers } from '../step-handlers';

export interface RunOptions {
  /** Aborted when the execution is cancelled. */
  cancel: AbortSignal;
  /** Takes the step's concurrency key; false when another step holds it. */
  acquireKey(claim: ClaimedStep, key: string): Promise<boolean>;
}

class StepTimeout extends Error {
  readonly code = 'STEP_TIMEOUT';
  readonly retryable = true;
}

/**
 * Runs one claimed step: the rules of SPEC section 4 around the handler (condition, forEach,
 * concurrency key, templates, timeout with abort, retries) and the handler itself.
 */
@Injectable()
export class StepRunner {
  constructor(private readonly handlers: StepHandlers) {}

  async run(claim: ClaimedStep, plan: ExecutionPlan, rows: StepRow[], options: RunOptions): Promise<StepResult> {
    const step = plan.step(claim.stepId);
    const base = { claim, plan };
    const resume = this.resumeOf(claim);
    try {
      const extra: Record<string, unknown> = {};
      if (claim.itemIndex !== null) {
        extra.item = (evaluateExpression(step.forEach!, stepContext(plan, claim.executionId, claim.inputs, rows)) as unknown[])[claim.itemIndex];
        extra.index = claim.itemIndex;
      }
      if (resume?.reason === 'signal') extra.signal = resume.payload ?? null;
      const context = stepContext(plan, claim.executionId, claim.inputs, rows, extra);
      if (claim.itemIndex === null && !resume) {
        if (step.condition && !evaluateCondition(step.condition, context)) return { ...base, kind: 'skipped', reason: 'CONDITION_FALSE' };
        if (step.forEach) {
          const items = evaluateExpression(step.forEach, context);
          if (!Array.isArray(items)) throw new ExpressionError(`forEach must yield a list, got ${items === null ? 'null' : typeof items}`, step.forEach);
          if (items.length === 0) return { ...base, kind: 'completed', output: [] };
          return { ...base, kind: 'expanded', count: items.length };
        }
      }
      if (step.concurrencyKey && !resume) {
        const key = String(evaluateExpression(step.concurrencyKey, context));
        if (!(await options.acquireKey(claim, key))) return { ...base, kind: 'blocked', concurrencyKey: key };
        claim.heldKey = key;
      }
      const handler = this.handlers.get(claim.type);
      if (!handler) return this.fail(claim, plan, { code: 'STEP_TYPE_UNAVAILABLE', message: `no handler is registered for step type "${claim.type}" in this process`, retryable: false });
      const params = renderTemplate(step.params, context) as Record<string, unknown>;
      const outcome = await this.withTimeout(step.timeoutSeconds * 1000, options.cancel, (signal) =>
        handler.execute({
          tenantId: claim.tenantId,
          executionId: claim.executionId,
          stepExecutionId: claim.id,
          workflowId: claim.workflowId,
          workflowVersion: claim.workflowVersion,
          stepId: claim.stepId,
          itemIndex: claim.itemIndex,
          attempt: claim.attempt,
          params,
          inputs: claim.inputs,
          signal,
          resume,
        }),
      );
      if (outcome instanceof StepWaitRequest) return { ...base, kind: 'waiting', wait: outcome.wait };
      return { ...base, kind: 'completed', output: outcome === undefined ? null : outcome };
    } catch (error) {
      if (error instanceof ExpressionError) return this.fail(claim, plan, { code: error.code, message: error.message, retryable: false });
      return this.fail(claim, plan, toStepError(error));
    }
  }

  private resumeOf(claim: ClaimedStep): StepResume | undefined {
    if (!claim.waitKind) return undefined;
    if (claim.resume?.reason) return { reason: claim.resume.reason as StepResume['reason'], payload: claim.resume.payload };
    return { reason: claim.waitKind === 'timer' ? 'timer' : 'timeout' };
  }

  private fail(claim: ClaimedStep, plan: ExecutionPlan, error: { code: string; message: string; retryable: boolean; details?: unknown }): StepResult {
    const { retryable, ...info } = error;
    const decision = decideAfterFailure(plan.step(claim.stepId).retry, claim.attempt, retryable);
    return { kind: 'failed', claim, plan, error: info, retryAt: decision.retry ? new Date(Date.now() + decision.delayMs) : undefined };
  }

  /** Runs the handler with an abort signal that fires on cancel and on timeout; a timeout fails the attempt. */
  private async withTimeout<T>(ms: number, cancel: AbortSignal, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onCancel = () => controller.abort(cancel.reason);
    cancel.addEventListener('abort', onCancel, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new StepTimeout(`step attempt exceeded ${ms / 1000} s`);
        controller.abort(error);
        reject(error);
      }, ms);
    });
    try {
      return await Promise.race([run(controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
      cancel.removeEventListener('abort', onCancel);
    }
  }
}
