/**
 * How an entry point (`main.ts`, `worker.ts`, `cli.ts`) fails to start: one line on stderr that says
 * what to do, no stack, and a non-zero exit.
 */

interface ListenError extends Error {
  code?: string;
}

/** `app.listen` errors a user can act on, as one line; any other error is returned unchanged. */
export function describeListenFailure(error: unknown, host: string, port: number): Error {
  const code = (error as ListenError)?.code;
  if (code === 'EADDRINUSE') return new Error(`port ${port} on ${host} is in use: stop the other process or set PORT`);
  if (code === 'EACCES') return new Error(`port ${port} on ${host} needs privileges this process does not have: use a port above 1023 or set PORT`);
  if (code === 'EADDRNOTAVAIL') return new Error(`address ${host} is not on this machine: set HOST (0.0.0.0 listens on every interface)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new Error(`host name ${host} does not resolve: set HOST`);
  return error instanceof Error ? error : new Error(String(error));
}

/** Prints the error's message (never its stack) and exits 1. */
export function exitOnStartupFailure(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${message.trim() || 'start-up failed'}\n`);
  process.exit(1);
}
