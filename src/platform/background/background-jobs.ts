import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '@cognition/platform/metrics/metrics.service';
import { BackgroundLoop, LoopObserver, LoopSpec } from './background-loop';

/**
 * The one way to run work without a request (DESIGN.md, "Running in the background"): every loop —
 * scheduler, relay, workers, reapers, health and maintenance jobs — is started here. A failing pass
 * is logged as one JSON line naming the loop (the first failure of a streak, every tenth, and the
 * recovery), counted, and retried after a capped, jittered backoff; it never ends the process.
 * Metrics: cognitionos_background_loop_runs_total, _errors_total, _last_success_timestamp_seconds.
 */
@Injectable()
export class BackgroundJobs implements OnApplicationShutdown {
  private readonly logger = new Logger('BackgroundJobs');
  private readonly loops = new Set<BackgroundLoop>();
  private readonly runs: Counter<'loop'>;
  private readonly errors: Counter<'loop'>;
  private readonly lastSuccess: Gauge<'loop'>;
  private readonly observer: LoopObserver;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.runs = new Counter({ name: 'cognitionos_background_loop_runs_total', help: 'Passes of each background loop', labelNames: ['loop'], registers });
    this.errors = new Counter({ name: 'cognitionos_background_loop_errors_total', help: 'Failed passes of each background loop', labelNames: ['loop'], registers });
    this.lastSuccess = new Gauge({
      name: 'cognitionos_background_loop_last_success_timestamp_seconds',
      help: 'When each background loop last completed a pass (unix seconds)',
      labelNames: ['loop'],
      registers,
    });
    this.observer = {
      ran: (loop) => this.runs.inc({ loop }),
      succeeded: (loop, afterFailures) => {
        this.lastSuccess.set({ loop }, Date.now() / 1000);
        if (afterFailures > 0) {
          this.logger.log({ loop, failures: afterFailures }, `background loop ${loop} recovered after ${afterFailures} failed passes`);
        }
      },
      failed: (loop, error, failures, backoffMs) => {
        this.errors.inc({ loop });
        // One line when a streak starts, then one every 10 failed passes (an outage would otherwise
        // log every loop's every retry), then one when it recovers.
        if (failures !== 1 && failures % 10 !== 0) return;
        const message = errorMessage(error);
        this.logger.warn({ loop, failures, backoffMs, error: message }, `background loop ${loop} failed: ${message}`);
      },
    };
  }

  /** Starts a loop; its owner stops it (usually in onApplicationShutdown). */
  start(spec: LoopSpec): BackgroundLoop {
    const loop = new BackgroundLoop(spec, this.observer);
    this.loops.add(loop);
    return loop;
  }

  /** Stops a loop and forgets it. */
  async stop(loop: BackgroundLoop | undefined): Promise<void> {
    if (!loop) return;
    this.loops.delete(loop);
    await loop.stop();
  }

  /** Names of the loops whose last pass failed. */
  failing(): string[] {
    return [...this.loops].filter((l) => l.failing).map((l) => l.name);
  }

  /** Whatever an owner forgot to stop is stopped last, so no timer outlives the app. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.loops].map((l) => this.stop(l)));
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
