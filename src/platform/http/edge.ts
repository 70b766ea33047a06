import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ErrorCode } from '@cognition/platform/domain';
import { problemFor } from '@cognition/platform/errors/problem';
import { unstorableCharIn } from '@cognition/platform/json/unstorable-text';

/**
 * The edge's checks of what arrives outside the body (DESIGN.md, "Limits and the edge"): the URL and
 * the headers handlers read as text. They run in an `onRequest` hook, before routing's result is
 * used and before any handler, so nothing the core cannot store or process reaches it.
 */

/** Headers whose values handlers read or store: printable ASCII only (RFC 9110 field values, no obs-text). */
const CHECKED_HEADERS: [string, string][] = [
  ['idempotency-key', 'Idempotency-Key'],
  ['if-match', 'If-Match'],
  ['last-event-id', 'Last-Event-ID'],
];
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * A 400 INVALID_STRING when a path segment or a query parameter of `rawUrl` (as sent, percent-encoded)
 * is not percent-encoded UTF-8 (e.g. `%ED%A0%80`, a lone surrogate, or `%zz`) or decodes to text
 * with a NUL or a lone surrogate (`%00`); null when the URL is fine.
 */
export function checkUrl(rawUrl: string): DomainError | null {
  // Without a percent escape the URL is what Node's parser accepted: no NUL, no control character,
  // every character below U+0100 (so no surrogate): nothing to decode or refuse.
  if (rawUrl.indexOf('%') === -1) return null;
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const pathProblem = problemOf(path);
  if (pathProblem) return invalidString('path', `The URL path ${pathProblem}`);
  if (q === -1) return null;
  for (const pair of rawUrl.slice(q + 1).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const nameProblem = problemOf(rawName);
    if (nameProblem) return invalidString('query', `A query parameter name ${nameProblem}`);
    if (eq === -1) continue;
    const valueProblem = problemOf(pair.slice(eq + 1));
    if (valueProblem) {
      const name = decode(rawName) ?? rawName;
      return invalidString(`query.${name}`, `The query parameter ${JSON.stringify(name)} ${valueProblem}`);
    }
  }
  return null;
}

/** A 400 INVALID_HEADER when a header handlers read has anything but printable ASCII; null otherwise. */
export function checkHeaders(headers: Record<string, string | string[] | undefined>): DomainError | null {
  for (const [name, header] of CHECKED_HEADERS) {
    const value = headers[name];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (values.length > 1) return invalidHeader(header, 'is sent more than once');
    if (!PRINTABLE_ASCII.test(values[0])) return invalidHeader(header, 'must be printable ASCII (no control characters or bytes above 0x7E)');
  }
  return null;
}

function problemOf(encoded: string): string | null {
  const text = decode(encoded);
  if (text === undefined) return 'is not valid percent-encoded UTF-8';
  const bad = unstorableCharIn(text);
  if (bad) return `contains ${bad.problem === 'nul' ? 'a NUL character' : 'a lone surrogate'} (${bad.codePoint})`;
  return null;
}

function decode(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function invalidString(path: string, message: string): DomainError {
  return new DomainError('INVALID_STRING', message, [{ path, code: 'INVALID_STRING', message }]);
}

function invalidHeader(header: string, message: string): DomainError {
  return new DomainError('INVALID_HEADER', `${header} ${message}`, [{ path: header, code: 'INVALID_HEADER', message }]);
}

/** Errors Fastify raises before routing (its `frameworkErrors` option), by their codes. */
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_BAD_URL: 'INVALID_STRING',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

/** Fastify's `frameworkErrors`: a URL its router cannot decode, or a path parameter over the length limit, as problem+json. */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const code = FRAMEWORK_CODES[error.code ?? ''] ?? 'BAD_REQUEST';
  const detail = code === 'INVALID_STRING' ? 'The URL path is not valid percent-encoded UTF-8' : code === 'URI_TOO_LONG' ? 'A path parameter is too long' : (error.message ?? 'Bad request');
  const problem = problemFor(code, detail, code === 'INVALID_STRING' ? [{ path: 'path', code, message: detail }] : undefined);
  reply.code(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(problem);
}

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refuses (a NUL or a control character
 * in a header, a malformed request line, headers over the size limit, a timeout) gets a problem+json
 * answer written to the socket, which is then closed — as Node does, with a body in our format.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT' : error.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST';
  const detail = code === 'REQUEST_TIMEOUT' ? 'The request was not received in time' : code === 'HEADERS_TOO_LARGE' ? 'The request headers are too large' : 'The request is not valid HTTP (e.g. a control character in a header)';
  const problem = problemFor(code, detail);
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
