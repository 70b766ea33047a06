import { DomainError } from '@cognition/platform/domain';
import { ProblemList } from './problem-list';
import { RetryPolicy } from './retry-policy.value-object';

describe('RetryPolicy', () => {
  it('fills the defaults', () => {
    expect(RetryPolicy.create().toDefinition()).toEqual({
      maxAttempts: 1,
      backoff: 'exponential',
      initialDelayMs: 1000,
      maxDelayMs: 60000,
      jitter: true,
    });
  });

  it('raises the default maxDelayMs to a larger initialDelayMs', () => {
    expect(RetryPolicy.create({ initialDelayMs: 120_000 }).maxDelayMs).toBe(120_000);
  });

  it('reports every bad field at once', () => {
    const problems = new ProblemList();
    RetryPolicy.fromInput(
      { maxAttempts: 0, backoff: 'linear', initialDelayMs: -1, maxDelayMs: 1.5, jitter: 'yes' },
      'steps[0].retry',
      problems,
    );
    expect(problems.toArray().map((p) => p.path)).toEqual([
      'steps[0].retry.maxAttempts',
      'steps[0].retry.backoff',
      'steps[0].retry.initialDelayMs',
      'steps[0].retry.maxDelayMs',
      'steps[0].retry.jitter',
    ]);
  });

  it('refuses maxAttempts above 100 and maxDelayMs below initialDelayMs', () => {
    expect(() => RetryPolicy.create({ maxAttempts: 101 })).toThrow(DomainError);
    const error = (() => {
      try {
        RetryPolicy.create({ initialDelayMs: 5000, maxDelayMs: 1000 });
      } catch (e) {
        return e as DomainError;
      }
      throw new Error('expected an error');
    })();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.errors).toEqual([
      { path: 'retry.maxDelayMs', pointer: '/retry/maxDelayMs', code: 'OUT_OF_RANGE', message: 'must be at least initialDelayMs (5000), got 1000' },
    ]);
  });

  it('computes fixed and exponential delays capped at maxDelayMs', () => {
    const fixed = RetryPolicy.create({ backoff: 'fixed', initialDelayMs: 500, jitter: false });
    expect([1, 2, 5].map((n) => fixed.delayForAttempt(n))).toEqual([500, 500, 500]);

    const exponential = RetryPolicy.create({ initialDelayMs: 1000, maxDelayMs: 10_000, jitter: false });
    expect([1, 2, 3, 4, 5, 80].map((n) => exponential.delayForAttempt(n))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('applies equal jitter: between half and all of the delay', () => {
    const policy = RetryPolicy.create({ initialDelayMs: 1000, maxDelayMs: 60_000, jitter: true });
    expect(policy.delayForAttempt(3, () => 0)).toBe(2000);
    expect(policy.delayForAttempt(3, () => 0.5)).toBe(3000);
    expect(policy.delayForAttempt(3, () => 0.999999)).toBe(4000);
  });

  it('gives zero delay when initialDelayMs is zero, whatever the attempt', () => {
    const policy = RetryPolicy.create({ initialDelayMs: 0, jitter: false });
    expect(policy.delayForAttempt(1000)).toBe(0);
  });

  it('tells whether attempts are left', () => {
    const policy = RetryPolicy.create({ maxAttempts: 3 });
    expect([1, 2, 3].map((n) => policy.hasAttemptsLeft(n))).toEqual([true, true, false]);
  });
});
