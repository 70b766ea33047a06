/**
 * Errors that mean the connection (or the server) is unusable, rather than a problem with the
 * statement: class 08 (connection exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot
 * connect now), 53300 (too many connections), and the driver's own socket errors.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = String((error as { code?: unknown }).code ?? '');
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code)) return true;
  return /Connection terminated|not queryable|Client has encountered a connection error|timeout exceeded when trying to connect|Connection ended/i.test(error.message);
}
