import type { BackoffKind, RetryPolicyDefinition } from '../contracts/workflow.types';
import { describe, isRecordLike, readBoolean, readInteger } from './field-checks';
import { ProblemList } from './problem-list';
import { retryDelayMs } from '../contracts/retry-delay';

/** Client input: every field optional; `backoff` is checked at runtime. */
export type RetryPolicyInput = Partial<Omit<RetryPolicyDefinition, 'backoff'>> & { backoff?: string };

const MAX_DELAY_LIMIT_MS = 86_400_000;

/**
 * How a failed step attempt is retried. `maxAttempts` counts the first attempt too.
 * `maxDelayMs` defaults to 60 s, or to `initialDelayMs` when that is larger.
 */
export class RetryPolicy {
  static readonly DEFAULTS: Readonly<RetryPolicyDefinition> = Object.freeze({
    maxAttempts: 1,
    backoff: 'exponential',
    initialDelayMs: 1_000,
    maxDelayMs: 60_000,
    jitter: true,
  });

  private constructor(private readonly props: RetryPolicyDefinition) {}

  /** Validates client input; every problem goes to `problems` and defaults stand in for bad fields. */
  static fromInput(input: unknown, path: string, problems: ProblemList): RetryPolicy {
    const d = RetryPolicy.DEFAULTS;
    if (input === undefined || input === null) return new RetryPolicy({ ...d });
    if (!isRecordLike(input)) {
      problems.add(path, 'INVALID_TYPE', `must be an object, got ${describe(input)}`);
      return new RetryPolicy({ ...d });
    }
    const read = (key: keyof RetryPolicyDefinition, reader: (value: unknown, at: string) => unknown) =>
      input[key] === undefined ? undefined : reader(input[key], `${path}.${key}`);
    const maxAttempts = read('maxAttempts', (v, at) => readInteger(v, at, problems, { min: 1, max: 100 })) as
      | number
      | undefined;
    const backoff = read('backoff', (v, at) => {
      if (v === 'fixed' || v === 'exponential') return v;
      problems.add(at, 'INVALID_FORMAT', `must be "fixed" or "exponential", got ${JSON.stringify(v)}`);
      return undefined;
    }) as BackoffKind | undefined;
    const delayRule = { min: 0, max: MAX_DELAY_LIMIT_MS };
    const initialDelayMs = read('initialDelayMs', (v, at) => readInteger(v, at, problems, delayRule)) as
      | number
      | undefined;
    const maxDelayMs = read('maxDelayMs', (v, at) => readInteger(v, at, problems, delayRule)) as number | undefined;
    const jitter = read('jitter', (v, at) => readBoolean(v, at, problems)) as boolean | undefined;

    const initial = initialDelayMs ?? d.initialDelayMs;
    const max = maxDelayMs ?? Math.max(d.maxDelayMs, initial);
    if (maxDelayMs !== undefined && maxDelayMs < initial) {
      problems.add(`${path}.maxDelayMs`, 'OUT_OF_RANGE', `must be at least initialDelayMs (${initial}), got ${maxDelayMs}`);
    }
    return new RetryPolicy({
      maxAttempts: maxAttempts ?? d.maxAttempts,
      backoff: backoff ?? d.backoff,
      initialDelayMs: initial,
      maxDelayMs: Math.max(max, initial),
      jitter: jitter ?? d.jitter,
    });
  }

  /** Builds a policy or throws one DomainError (VALIDATION_FAILED) listing every problem. */
  static create(input: RetryPolicyInput = {}): RetryPolicy {
    const problems = new ProblemList();
    const policy = RetryPolicy.fromInput(input, 'retry', problems);
    if (problems.size > 0) throw problems.toError('retry policy');
    return policy;
  }

  static restore(definition: RetryPolicyDefinition): RetryPolicy {
    return new RetryPolicy({ ...definition });
  }

  get maxAttempts(): number {
    return this.props.maxAttempts;
  }

  get backoff(): BackoffKind {
    return this.props.backoff;
  }

  get initialDelayMs(): number {
    return this.props.initialDelayMs;
  }

  get maxDelayMs(): number {
    return this.props.maxDelayMs;
  }

  get jitter(): boolean {
    return this.props.jitter;
  }

  /** Whether another attempt may follow `attemptsMade` attempts. */
  hasAttemptsLeft(attemptsMade: number): boolean {
    return attemptsMade < this.props.maxAttempts;
  }

  /**
   * Milliseconds to wait before retrying after failed attempt number `attempt` (1-based).
   * fixed: initialDelayMs; exponential: initialDelayMs * 2^(attempt-1); both capped at maxDelayMs.
   * With jitter ("equal jitter") the result is uniform in [delay/2, delay], which spreads retries
   * of many steps while keeping at least half of the backoff.
   */
  delayForAttempt(attempt: number, random: () => number = Math.random): number {
    return retryDelayMs(this.props, attempt, random);
  }

  toDefinition(): RetryPolicyDefinition {
    return { ...this.props };
  }
}

