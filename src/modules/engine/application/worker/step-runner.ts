import { Injectable } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { evaluateCondition, evaluateExpression, ExpressionError, renderTemplate } from '@cognition/platform/expressions';
import { limitsOf } from '@cognition/platform/limits/limits';
import { StepResume, StepWaitRequest } from '../../contracts';
import { ExecutionPlan } from '../../domain/execution-plan';
import { StepRow, stepContext } from '../../domain/step-context';
import { decideAfterFailure, toStepError } from '../../domain/step-failure';
import { ClaimedStep } from '../../infrastructure/step-claims';
import { StepResult } from '../../infrastructure/step-result';
import { StepHandlers } from '../step-handlers';
import { StepInputs } from './step-inputs';

/** A step whose serialized output is over STEP_OUTPUT_MAX_BYTES fails with this code (not retried). */
export const OUTPUT_TOO_LARGE = 'OUTPUT_TOO_LARGE';
/** A forEach whose list has more than FOREACH_MAX_ITEMS items fails with this code (not retried). */
export const FOREACH_TOO_MANY_ITEMS = 'FOREACH_TOO_MANY_ITEMS';

/** The limits the runner enforces (from the limits table). */
export interface RunnerLimits {
  stepOutputBytes: number;
  forEachItems: number;
}

export interface RunOptions {
  /**
   * The attempt's abort: the worker aborts it when the execution is cancelled (or at shutdown), the
   * runner when the attempt times out; the handler gets its signal. One controller per attempt.
   */
  cancel: AbortController;
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
  private readonly limits: RunnerLimits;

  constructor(
    private readonly handlers: StepHandlers,
    private readonly inputs: StepInputs,
    config: AppConfig,
  ) {
    const limits = limitsOf(config.all);
    this.limits = { stepOutputBytes: limits.stepOutputBytes, forEachItems: limits.forEachItems };
  }

  async run(claim: ClaimedStep, plan: ExecutionPlan, rows: StepRow[], options: RunOptions): Promise<StepResult> {
    const step = plan.step(claim.stepId);
    const base = { claim, plan };
    const resume = this.resumeOf(claim);
    try {
      const extra: Record<string, unknown> = {};
      if (claim.itemIndex !== null) {
        extra.item = await this.itemOf(claim, plan, rows);
        extra.index = claim.itemIndex;
      }
      if (resume?.reason === 'signal') extra.signal = resume.payload ?? null;
      const context = stepContext(plan, claim.executionId, claim.inputs, rows, extra);
      if (claim.itemIndex === null && !resume) {
        if (step.condition && !evaluateCondition(step.condition, context)) return { ...base, kind: 'skipped', reason: 'CONDITION_FALSE' };
        if (step.forEach) {
          // The list is evaluated here, once; each item row stores its item.
          const items = evaluateExpression(step.forEach, await this.forEachContext(claim, plan, rows, context));
          if (!Array.isArray(items)) throw new ExpressionError(`forEach must yield a list, got ${items === null ? 'null' : typeof items}`, step.forEach);
          if (items.length > this.limits.forEachItems) {
            return this.fail(claim, plan, {
              code: FOREACH_TOO_MANY_ITEMS,
              message: `forEach of step ${claim.stepId} yields ${items.length} items, more than the limit of ${this.limits.forEachItems} (FOREACH_MAX_ITEMS)`,
              retryable: false,
              details: { items: items.length, limit: this.limits.forEachItems },
            });
          }
          if (items.length === 0) return { ...base, kind: 'completed', output: [] };
          return { ...base, kind: 'expanded', count: items.length, items };
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
          agentRole: step.agentRole ?? null,
          params,
          inputs: claim.inputs,
          signal,
          resume,
        }),
      );
      if (outcome instanceof StepWaitRequest) return { ...base, kind: 'waiting', wait: outcome.wait };
      const output = outcome === undefined ? null : outcome;
      const serialized = JSON.stringify(output) ?? 'null';
      // Length in UTF-16 units is at most the UTF-8 size, and at least a third of it: measure bytes only near the limit.
      const bytes = serialized.length * 3 <= this.limits.stepOutputBytes ? serialized.length : Buffer.byteLength(serialized, 'utf8');
      if (bytes > this.limits.stepOutputBytes) {
        return this.fail(claim, plan, {
          code: OUTPUT_TOO_LARGE,
          message: `the output of step ${claim.stepId} is ${bytes} bytes of JSON, more than the limit of ${this.limits.stepOutputBytes} (STEP_OUTPUT_MAX_BYTES)`,
          retryable: false,
          details: { bytes, limit: this.limits.stepOutputBytes },
        });
      }
      return { ...base, kind: 'completed', output, serialized };
    } catch (error) {
      if (error instanceof ExpressionError) return this.fail(claim, plan, { code: error.code, message: error.message, retryable: false });
      return this.fail(claim, plan, toStepError(error));
    }
  }

  /** A forEach item's value: stored on its row; evaluated from the list only for rows that store none. */
  private async itemOf(claim: ClaimedStep, plan: ExecutionPlan, rows: StepRow[]): Promise<unknown> {
    const stored = await this.inputs.items(claim.id);
    if (stored.has(claim.id)) return stored.get(claim.id);
    const step = plan.step(claim.stepId);
    const context = await this.forEachContext(claim, plan, rows, stepContext(plan, claim.executionId, claim.inputs, rows));
    return (evaluateExpression(step.forEach!, context) as unknown[])[claim.itemIndex!];
  }

  /** The context of a forEach list: the step's own, with the finished steps when the list reads them and the worker did not load them. */
  private async forEachContext(claim: ClaimedStep, plan: ExecutionPlan, rows: StepRow[], context: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!plan.forEachReadsSteps(claim.stepId) || plan.readsSteps(claim.stepId)) return context;
    return { ...context, steps: stepContext(plan, claim.executionId, claim.inputs, await this.inputs.stepRows(claim.executionId)).steps };
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

  /** Runs the handler with the attempt's abort signal, which also fires on timeout; a timeout fails the attempt. */
  private async withTimeout<T>(ms: number, cancel: AbortController, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new StepTimeout(`step attempt exceeded ${ms / 1000} s`);
        cancel.abort(error);
        reject(error);
      }, ms);
    });
    try {
      return await Promise.race([run(cancel.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
