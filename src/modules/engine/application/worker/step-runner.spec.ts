import type { StepDefinition } from '@cognition/workflow/contracts';
import { stepDefinition } from '@cognition/test-support/mothers/workflow.mother';
import { NonRetryableStepError, StepHandler, StepOutcome } from '../../contracts';
import { ExecutionPlan } from '../../domain/execution-plan';
import { ClaimedStep } from '../../infrastructure/step-claims';
import { StepHandlers } from '../step-handlers';
import type { AppConfig } from '@cognition/config/app-config';
import { StepInputs } from './step-inputs';
import { StepRunner } from './step-runner';

function plan(overrides: Partial<StepDefinition>): ExecutionPlan {
  const s = stepDefinition('s', [], {
    type: 'fake',
    params: { value: '${{ inputs.x }}' },
    retry: { maxAttempts: 2, backoff: 'fixed', initialDelayMs: 1000, maxDelayMs: 1000, jitter: false },
    ...overrides,
  });
  return new ExecutionPlan('t', 'w', '1.0.0', [s], null, null);
}

const claim = (extra: Partial<ClaimedStep> = {}): ClaimedStep => ({
  id: 'se1',
  executionId: 'e1',
  tenantId: 't',
  stepId: 's',
  itemIndex: null,
  type: 'fake',
  claimedFrom: 'pending',
  attempt: 1,
  waitKind: null,
  waitKey: null,
  resume: null,
  availableAt: new Date(),
  workflowId: 'w',
  workflowVersion: '1.0.0',
  inputs: { x: 7, items: ['a', 'b', 'c'] },
  ...extra,
});

/** Items stored on item rows (by step execution id); rows without one evaluate the list. */
const storedItems = new Map<string, unknown>();
const inputs = { items: async () => storedItems, stepRows: async () => [] } as unknown as StepInputs;

function runnerWith(handler: StepHandler, env: Record<string, number> = {}): StepRunner {
  const config = { all: env } as unknown as AppConfig;
  return new StepRunner({ get: (type: string) => (type === 'fake' ? handler : undefined) } as unknown as StepHandlers, inputs, config);
}

const options = (cancel = new AbortController()) => ({ cancel, acquireKey: async () => true });

describe('StepRunner', () => {
  it('renders params and completes with the handler output', async () => {
    const result = await runnerWith({ execute: async (c) => ({ got: c.params.value }) }).run(claim(), plan({}), [], options());
    expect(result).toMatchObject({ kind: 'completed', output: { got: 7 } });
  });

  it('skips when the condition is false and fans out forEach', async () => {
    const handler = { execute: jest.fn() };
    expect(await runnerWith(handler).run(claim(), plan({ condition: 'inputs.x > 10' }), [], options())).toMatchObject({ kind: 'skipped', reason: 'CONDITION_FALSE' });
    expect(await runnerWith(handler).run(claim(), plan({ forEach: 'inputs.items' }), [], options())).toMatchObject({ kind: 'expanded', count: 3 });
    expect(handler.execute).not.toHaveBeenCalled();
    const item = await runnerWith({ execute: async (c) => c.params.value }).run(claim({ itemIndex: 1 }), plan({ forEach: 'inputs.items', params: { value: '${{ item }}${{ index }}' } }), [], options());
    expect(item).toMatchObject({ kind: 'completed', output: 'b1' });
  });

  it('evaluates the forEach list once: the step carries its items, an item row reads its stored item', async () => {
    const expanded = await runnerWith({ execute: jest.fn() }).run(claim(), plan({ forEach: 'inputs.items' }), [], options());
    expect(expanded).toMatchObject({ kind: 'expanded', count: 3, items: ['a', 'b', 'c'] });
    storedItems.set('se-item', { stored: true });
    const item = await runnerWith({ execute: async (c) => c.params.value }).run(
      claim({ id: 'se-item', itemIndex: 2, inputs: {} }),
      plan({ forEach: 'inputs.items', params: { value: '${{ item }}' } }),
      [],
      options(),
    );
    expect(item).toMatchObject({ kind: 'completed', output: { stored: true } });
  });

  it('refuses a forEach over FOREACH_MAX_ITEMS and an output over STEP_OUTPUT_MAX_BYTES, without retrying', async () => {
    const many = await runnerWith({ execute: jest.fn() }, { FOREACH_MAX_ITEMS: 2 }).run(claim(), plan({ forEach: 'inputs.items' }), [], options());
    expect(many).toMatchObject({ kind: 'failed', retryAt: undefined, error: { code: 'FOREACH_TOO_MANY_ITEMS', details: { items: 3, limit: 2 } } });
    expect((many as { error: { message: string } }).error.message).toMatch(/3 items.*limit of 2/);
    const big = await runnerWith({ execute: async () => ({ text: 'é'.repeat(600) }) }, { STEP_OUTPUT_MAX_BYTES: 1024 }).run(claim(), plan({}), [], options());
    expect(big).toMatchObject({ kind: 'failed', retryAt: undefined, error: { code: 'OUTPUT_TOO_LARGE', details: { bytes: 1211, limit: 1024 } } });
    const fits = await runnerWith({ execute: async () => ({ text: 'é'.repeat(500) }) }, { STEP_OUTPUT_MAX_BYTES: 1024 }).run(claim(), plan({}), [], options());
    expect(fits).toMatchObject({ kind: 'completed', serialized: JSON.stringify({ text: 'é'.repeat(500) }) });
  });

  it('fails on an expression error without retrying, and retries an ordinary error after the backoff', async () => {
    const bad = await runnerWith({ execute: async () => 1 }).run(claim(), plan({ params: { v: '${{ inputs.x + "s" }}' } }), [], options());
    expect(bad).toMatchObject({ kind: 'failed', error: { code: 'EXPRESSION_ERROR' }, retryAt: undefined });
    const flaky = await runnerWith({ execute: async () => Promise.reject(new Error('down')) }).run(claim(), plan({}), [], options());
    expect(flaky.kind).toBe('failed');
    expect((flaky as { retryAt?: Date }).retryAt!.getTime()).toBeGreaterThan(Date.now() + 900);
    const last = await runnerWith({ execute: async () => Promise.reject(new Error('down')) }).run(claim({ attempt: 2 }), plan({}), [], options());
    expect(last).toMatchObject({ kind: 'failed', retryAt: undefined });
    const fatal = await runnerWith({ execute: async () => Promise.reject(new NonRetryableStepError('NOPE', 'no')) }).run(claim(), plan({}), [], options());
    expect(fatal).toMatchObject({ kind: 'failed', error: { code: 'NOPE' }, retryAt: undefined });
  });

  it('times an attempt out with STEP_TIMEOUT and aborts the handler', async () => {
    jest.useFakeTimers();
    let aborted = false;
    const pending = runnerWith({
      execute: (c) =>
        new Promise(() => {
          c.signal.addEventListener('abort', () => (aborted = true));
        }),
    }).run(claim(), plan({ timeoutSeconds: 2 }), [], options());
    await jest.advanceTimersByTimeAsync(2001);
    jest.useRealTimers();
    expect(await pending).toMatchObject({ kind: 'failed', error: { code: 'STEP_TIMEOUT' } });
    expect(aborted).toBe(true);
  });

  it('passes a cancel to the handler, waits, and blocks on a busy concurrency key', async () => {
    const cancel = new AbortController();
    const seen: string[] = [];
    const run = runnerWith({ execute: (c) => new Promise((_, reject) => c.signal.addEventListener('abort', () => (seen.push('aborted'), reject(c.signal.reason)))) }).run(claim(), plan({}), [], options(cancel));
    cancel.abort(Object.assign(new Error('cancelled'), { code: 'CANCELLED', retryable: false }));
    expect(await run).toMatchObject({ kind: 'failed', error: { code: 'CANCELLED' } });
    expect(seen).toEqual(['aborted']);
    const wait = await runnerWith({ execute: async () => StepOutcome.wait({ kind: 'signal', key: 'go' }) }).run(claim(), plan({}), [], options());
    expect(wait).toMatchObject({ kind: 'waiting', wait: { kind: 'signal', key: 'go' } });
    const blocked = await runnerWith({ execute: async () => 1 }).run(claim(), plan({ concurrencyKey: "'k-' + string(inputs.x)" }), [], { ...options(), acquireKey: async () => false });
    expect(blocked).toMatchObject({ kind: 'blocked', concurrencyKey: 'k-7' });
  });

  it('fails a step whose type has no handler in this process', async () => {
    const result = await runnerWith({ execute: async () => 1 }).run(claim({ type: 'agent_task' }), plan({ type: 'agent_task' }), [], options());
    expect(result).toMatchObject({ kind: 'failed', error: { code: 'STEP_TYPE_UNAVAILABLE' }, retryAt: undefined });
  });
});
