/** What a background loop reports; the platform's BackgroundJobs logs and counts it. */
export interface LoopObserver {
  ran(name: string): void;
  failed(name: string, error: unknown, failures: number, backoffMs: number): void;
  succeeded(name: string, afterFailures: number): void;
}

export interface LoopSpec {
  /** Names the loop in logs and metrics, e.g. `engine.lease-reaper`. */
  name: string;
  /** Idle time between passes; `wake()` starts the next pass sooner. */
  everyMs: number;
  /** One pass. Resolve `true` when more work is waiting: the next pass starts at once. */
  run: () => Promise<boolean | void>;
  /** Wait `everyMs` before the first pass instead of running it at start. */
  firstAfterInterval?: boolean;
  /** Passes start at least this far apart, however often the loop is woken (coalesces bursts of wake-ups). */
  minGapMs?: number;
  /** First backoff after a failure (default: everyMs, at most 1 s) and its cap (default 5 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** Exponential backoff with full jitter in [base·2^(n-1)/2, base·2^(n-1)], capped. */
export function backoffDelay(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * A loop that runs `spec.run` forever until stopped: after each pass it sleeps `everyMs` (or less when
 * woken); a pass that throws is reported and followed by a capped, jittered backoff. Nothing a pass
 * does can reject out of the loop, so no error here ends the process.
 */
export class BackgroundLoop {
  private stopped = false;
  private woken = false;
  private wakeUp?: () => void;
  private failures = 0;
  private lastStart = 0;
  private readonly done: Promise<void>;

  constructor(
    private readonly spec: LoopSpec,
    private readonly observer: LoopObserver,
  ) {
    this.done = this.loop();
  }

  get name(): string {
    return this.spec.name;
  }

  /** True while the last pass failed. */
  get failing(): boolean {
    return this.failures > 0;
  }

  /** Runs the next pass as soon as the current one (or the idle sleep) allows; a backoff is not cut short. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops after the pass in progress; resolves when it has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.done;
  }

  private async loop(): Promise<void> {
    // Start on the next turn, so the owner's constructor and start-up code run first.
    await new Promise((r) => setImmediate(r));
    if (this.spec.firstAfterInterval) await this.sleep(this.spec.everyMs, true);
    while (!this.stopped) {
      this.woken = false;
      await this.respectGap();
      if (this.stopped) break;
      this.lastStart = Date.now();
      let again = false;
      try {
        this.observer.ran(this.spec.name);
        again = (await this.spec.run()) === true;
        this.observer.succeeded(this.spec.name, this.failures);
        this.failures = 0;
      } catch (error) {
        this.failures++;
        const base = this.spec.backoffMs ?? Math.min(this.spec.everyMs, 1000);
        const delay = backoffDelay(this.failures, Math.max(base, 10), this.spec.maxBackoffMs ?? 5000);
        this.observer.failed(this.spec.name, error, this.failures, delay);
        await this.sleep(delay, false);
        continue;
      }
      if (again) await new Promise((r) => setImmediate(r));
      else await this.sleep(this.spec.everyMs, true);
    }
  }

  private async respectGap(): Promise<void> {
    const gap = this.spec.minGapMs ?? 0;
    const wait = this.lastStart + gap - Date.now();
    if (gap > 0 && wait > 0) await this.sleep(wait, false);
  }

  /** Sleeps `ms`; when `wakeable`, a wake-up (or one that came during the pass) ends it early. Stop always does. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopped || (wakeable && this.woken)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      // Not unref'd: a worker process whose database is gone has nothing else keeping it alive.
      const timer = setTimeout(finish, ms);
      this.wakeUp = () => {
        if (this.stopped || wakeable) finish();
      };
    });
  }
}
