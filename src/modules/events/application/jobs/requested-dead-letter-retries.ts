import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { PgListener } from '@cognition/platform/database/pg-listener';
import { RetryDeadLetterCommand } from '@cognition/events/contracts';
import { DEAD_LETTER_RETRY_CHANNEL, DeadLetterStore } from '@cognition/events/infrastructure/dead-letter-store';

const TAKE = 20;
const POLL_MS = 5000;

/**
 * Retries the CLI asked for (`dead-letters:retry`; the CLI runs no subscribers): a NOTIFY wakes every
 * instance, one takes each request (`FOR UPDATE SKIP LOCKED`) and retries it as the API would; the CLI
 * reads the outcome from the row.
 */
@Injectable()
export class RequestedDeadLetterRetries implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RequestedDeadLetterRetries.name);
  private loop?: BackgroundLoop;
  private readonly channel = { notify: () => this.loop?.wake(), caughtUp: () => this.loop?.wake() };

  constructor(
    private readonly jobs: BackgroundJobs,
    private readonly listener: PgListener,
    private readonly deadLetters: DeadLetterStore,
    private readonly commands: CommandBus,
  ) {}

  onApplicationBootstrap(): void {
    this.listener.subscribe(DEAD_LETTER_RETRY_CHANNEL, this.channel);
    this.loop = this.jobs.start({ name: 'events.dead-letter-retries', everyMs: POLL_MS, run: () => this.pass() });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.listener.unsubscribe(DEAD_LETTER_RETRY_CHANNEL, this.channel);
    await this.jobs.stop(this.loop);
  }

  async pass(): Promise<boolean> {
    const ids = await this.deadLetters.takeRequested(TAKE);
    for (const id of ids) {
      try {
        const { outcome } = await this.commands.execute(new RetryDeadLetterCommand(null, id));
        this.logger.log({ deadLetterId: id, outcome }, `requested retry of dead letter ${id}: ${outcome}`);
      } catch (error) {
        // Resolved meanwhile (retried or discarded through the API): nothing to do.
        this.logger.warn({ deadLetterId: id }, `requested retry of dead letter ${id} not run: ${(error as Error).message}`);
      }
    }
    return ids.length === TAKE;
  }
}
