/** How much of a remote server's error message we keep. */
export const MAX_ERROR_MESSAGE = 500;

/**
 * A remote API's own message from an error body: OpenAI and compatible servers send
 * `{error: {message}}`, Anthropic `{type: 'error', error: {type, message}}`; some compatible servers
 * send `{error: "…"}`, `{message}` or `{detail}`. Otherwise the raw text, shortened.
 */
export function remoteErrorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, any>;
    const error = body?.error;
    if (typeof error?.message === 'string') return truncateMessage(error.message);
    if (typeof error === 'string') return truncateMessage(error);
    if (typeof body?.message === 'string') return truncateMessage(body.message);
    if (typeof body?.detail === 'string') return truncateMessage(body.detail);
  } catch {
    // not JSON: the text itself
  }
  return truncateMessage(text.trim()) || '(empty body)';
}

/** What a failed fetch says: the socket error code (ECONNREFUSED…) when there is one. */
export function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

export function truncateMessage(text: string): string {
  return text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE)}…` : text;
}
