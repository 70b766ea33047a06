import { NonRetryableStepError } from '../../contracts';

/** Largest response body read when no limit is given (the step passes STEP_OUTPUT_MAX_BYTES). */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** How much of an unexpected response's body goes into the error details. */
export const ERROR_BODY_CHARS = 2000;

/** Response headers as a plain object with lowercase keys (repeated headers joined with ", "). */
export function headersToObject(headers: Headers): Record<string, string> {
  const result: Record<string, string> = {};
  headers.forEach((value, key) => {
    const name = key.toLowerCase();
    result[name] = name in result ? `${result[name]}, ${value}` : value;
  });
  return result;
}

/**
 * Reads the whole body, refusing one larger than `limit` bytes with HTTP_RESPONSE_TOO_LARGE (not
 * retried): a declared Content-Length over the limit is refused before reading, and a body that
 * grows past it is cancelled at once (the connection is closed; the rest is never read).
 */
export async function readBodyBytes(response: Response, limit = MAX_RESPONSE_BYTES): Promise<Buffer> {
  const tooLarge = (read: number | null) =>
    new NonRetryableStepError(
      'HTTP_RESPONSE_TOO_LARGE',
      `http_request: response body exceeds the limit of ${limit} bytes (STEP_OUTPUT_MAX_BYTES)${read === null ? ' by its Content-Length' : `; stopped reading after ${read} bytes`}`,
      { status: response.status, limit },
    );
  const declared = Number(response.headers.get('content-length'));
  if (!response.body) return Buffer.alloc(0);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body.cancel().catch(() => undefined);
    throw tooLarge(null);
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(size);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Whether a content-type header denotes JSON (`application/json`, `*+json`, `text/json`). */
export function isJsonContentType(contentType: string | null): boolean {
  const mime = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return mime === 'application/json' || mime === 'text/json' || mime.endsWith('+json');
}

/** Decodes the body as text using the content-type charset (UTF-8 when absent or unknown). */
export function decodeText(bytes: Uint8Array, contentType: string | null): string {
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * The body as the step output: parsed JSON when the content-type says JSON (null when empty, the
 * raw text when it does not parse), else text.
 */
export function parseBody(text: string, contentType: string | null): unknown {
  if (!isJsonContentType(contentType)) return text;
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function truncate(text: string, max = ERROR_BODY_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}
