import { Logger } from '@nestjs/common';

export interface Closable {
  close(signal?: string): Promise<void>;
}

export interface ShutdownSignalOptions {
  /** SHUTDOWN_GRACE_SECONDS: the modules' own shutdown work is bounded by it; the process gets 10 s more. */
  graceSeconds: number;
  signals?: NodeJS.Signals[];
  /** For tests; default process.exit. */
  exit?: (code: number) => void;
  /** Default: Nest's logger (pino in the app), context `Shutdown`. */
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
  /** Runs once the app has closed (its pools too), before the exit: e.g. stopping the embedded PostgreSQL. */
  afterClose?: () => void | Promise<void>;
}

/** Seconds past the grace after which a shutdown that has not finished is cut short. */
export const SHUTDOWN_MARGIN_SECONDS = 10;

/**
 * The process side of graceful shutdown, for the entry points (tests call `app.close()` themselves):
 * on the first SIGTERM or SIGINT, `app.close(signal)` runs once — the modules' shutdown hooks do
 * their work (workers drain, streams close), then `afterClose` — and the process exits 0 when they
 * resolve, 1 if one fails. A second signal, or `graceSeconds` + 10 s without the close finishing, forces exit 1.
 *
 * Replaces Nest's `enableShutdownHooks()`, which re-raises the signal after closing, so the process
 * died by the signal instead of exiting 0. Returns a function that removes the handlers.
 */
export function exitOnShutdownSignals(app: Closable, options: ShutdownSignalOptions): () => void {
  const logger = options.logger ?? new Logger('Shutdown');
  let force: NodeJS.Timeout | undefined;
  const exit = (code: number) => {
    clearTimeout(force);
    if (options.exit) options.exit(code);
    else process.exit(code);
  };
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let closing = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn(`${signal} received again while shutting down: exiting now`);
      exit(1);
      return;
    }
    closing = true;
    const limitSeconds = options.graceSeconds + SHUTDOWN_MARGIN_SECONDS;
    logger.log(`${signal} received: shutting down (grace ${options.graceSeconds} s)`);
    force = setTimeout(() => {
      logger.error(`shutdown did not finish within ${limitSeconds} s: exiting now`);
      exit(1);
    }, limitSeconds * 1000);
    app
      .close(signal)
      .then(() => options.afterClose?.())
      .then(
        () => {
          logger.log('shut down');
          exit(0);
        },
        (error: Error) => {
          logger.error(`shutdown failed: ${error.message}`);
          exit(1);
        },
      );
  };

  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
