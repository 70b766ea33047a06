import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { RetentionRunner } from './retention-runner';

/**
 * Runs every retention job each RETENTION_INTERVAL_MS (the first run one interval after start) in
 * processes with WORKER_ENABLED, as the platform background loop `retention`. Every instance may
 * try; the advisory lock lets one run at a time and the others skip. On shutdown the job in
 * progress stops after its current batch.
 */
@Injectable()
export class RetentionLoop implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private loop?: BackgroundLoop;
  private readonly stopping = new AbortController();

  constructor(
    private readonly config: AppConfig,
    private readonly runner: RetentionRunner,
    private readonly jobs: BackgroundJobs,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.get('RETENTION_INTERVAL_MS');
    if (!this.config.get('WORKER_ENABLED') || every === 0) return;
    this.loop = this.jobs.start({
      name: 'retention',
      everyMs: every,
      firstAfterInterval: true,
      backoffMs: Math.min(every, 5000),
      maxBackoffMs: Math.min(every, 60_000),
      run: async () => void (await this.runner.run({ signal: this.stopping.signal })),
    });
  }

  beforeApplicationShutdown(): void {
    this.stopping.abort();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.jobs.stop(this.loop);
  }
}
