import { ExecutionPlan } from './execution-plan';
import { decideAfterFailure, toStepError } from './step-failure';
import { stepDefinition } from '@cognition/test-support/mothers/workflow.mother';

const step = (id: string, dependsOn: string[] = []) =>
  stepDefinition(id, dependsOn, { retry: { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 100, maxDelayMs: 1000, jitter: false } });

describe('ExecutionPlan', () => {
  const plan = new ExecutionPlan('t', 'w', '1.0.0', [step('a'), step('b', ['a']), step('c', ['a']), step('d', ['b', 'c']), step('e')], null, null);

  it('knows direct dependents and everything downstream, in declaration order', () => {
    expect(plan.dependents.get('a')).toEqual(['b', 'c']);
    expect(plan.downstreamOf('a')).toEqual(['b', 'c', 'd']);
    expect(plan.downstreamOf('c')).toEqual(['d']);
    expect(plan.downstreamOf('e')).toEqual([]);
    expect(plan.readsSteps('d')).toBe(false);
    expect(plan.readsSteps('a')).toBe(false);
    const reading = new ExecutionPlan('t', 'w', '1.0.0', [step('a'), { ...step('b', ['a']), params: { x: '${{ steps.a.output }}' } }, { ...step('c', ['a']), condition: "steps.a.status == 'completed'" }], null, null);
    expect(reading.readsSteps('b')).toBe(true);
    expect(reading.readsSteps('c')).toBe(true);
    expect(() => plan.step('zz')).toThrow(/not in w@1.0.0/);
  });
});

describe('after a failed attempt', () => {
  const policy = { maxAttempts: 3, backoff: 'exponential' as const, initialDelayMs: 100, maxDelayMs: 250, jitter: false };

  it('retries with backoff while attempts remain, never a non-retryable error', () => {
    expect(decideAfterFailure(policy, 1, true)).toEqual({ retry: true, delayMs: 100 });
    expect(decideAfterFailure(policy, 2, true)).toEqual({ retry: true, delayMs: 200 });
    expect(decideAfterFailure(policy, 3, true)).toEqual({ retry: false });
    expect(decideAfterFailure(policy, 1, false)).toEqual({ retry: false });
    expect(decideAfterFailure({ ...policy, jitter: true }, 2, true, () => 0)).toEqual({ retry: true, delayMs: 100 });
  });

  it('stores a thrown value as code and message, keeping retryable: false', () => {
    expect(toStepError(Object.assign(new Error('nope'), { code: 'HTTP_STATUS', retryable: false }))).toEqual({ code: 'HTTP_STATUS', message: 'nope', retryable: false });
    expect(toStepError('plain string')).toEqual({ code: 'STEP_FAILED', message: 'plain string', retryable: true });
  });
});
