import { NonRetryableStepError } from '../../contracts';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_TIMEOUT_MS = 300_000;

/** The validated params of an `http_request` step, ready to send. */
export interface HttpRequestParams {
  method: HttpMethod;
  /** The URL with `query` appended. */
  url: URL;
  headers: Record<string, string>;
  /** The encoded body, or undefined for none. */
  body: string | undefined;
  timeoutMs: number;
  /** Expected statuses; null means any 2xx. */
  expectStatus: number[] | null;
}

type Scalar = string | number | boolean;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_HEADER_VALUE = /[\r\n\0]/;

/**
 * Validates the rendered params. `query` values may be scalars or arrays of scalars (a repeated
 * key); null/undefined query values are left out. A null or absent `body` sends no body.
 */
export function parseHttpRequestParams(params: Record<string, unknown>): HttpRequestParams {
  const method = parseMethod(params.method);
  const url = parseUrl(params.url);
  appendQuery(url, params.query);
  const headers = parseHeaders(params.headers);
  const body = encodeBody(params.body, headers, method);
  return {
    method,
    url,
    headers,
    body,
    timeoutMs: parseTimeout(params.timeoutMs),
    expectStatus: parseExpectStatus(params.expectStatus),
  };
}

function invalid(message: string): NonRetryableStepError {
  return new NonRetryableStepError('INVALID_PARAMS', `http_request: ${message}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function parseMethod(value: unknown): HttpMethod {
  if (value === undefined || value === null) return 'GET';
  const method = typeof value === 'string' ? value.toUpperCase() : '';
  if (!(HTTP_METHODS as readonly string[]).includes(method)) {
    throw invalid(`method must be one of ${HTTP_METHODS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return method as HttpMethod;
}

function parseUrl(value: unknown): URL {
  if (typeof value !== 'string' || value.trim() === '') throw invalid('url is required and must be a string');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw invalid(`url is not a valid absolute URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`url must use http or https, got ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.username || url.password) throw invalid('url must not contain credentials; send an Authorization header');
  return url;
}

function appendQuery(url: URL, value: unknown): void {
  if (value === undefined || value === null) return;
  if (!isPlainObject(value)) throw invalid('query must be an object of string, number or boolean values');
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    const items = Array.isArray(item) ? item : [item];
    for (const one of items) {
      if (!isScalar(one)) throw invalid(`query.${key} must be a string, number, boolean or an array of them`);
      url.searchParams.append(key, String(one));
    }
  }
}

function parseHeaders(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw invalid('headers must be an object of string values');
  const headers: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (!TOKEN.test(name)) throw invalid(`header name ${JSON.stringify(name)} is not a valid HTTP token`);
    if (!isScalar(item)) throw invalid(`header ${name} must be a string`);
    const text = String(item);
    if (BAD_HEADER_VALUE.test(text)) throw invalid(`header ${name} must not contain CR, LF or NUL`);
    headers[name.toLowerCase()] = text;
  }
  return headers;
}

/** JSON-encodes the body (setting content-type) unless a content-type is given and the body is a string. */
function encodeBody(value: unknown, headers: Record<string, string>, method: HttpMethod): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (method === 'GET' || method === 'HEAD') throw invalid(`a ${method} request cannot have a body`);
  if (typeof value === 'string' && headers['content-type'] !== undefined) return value;
  headers['content-type'] ??= 'application/json';
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw invalid(`body cannot be encoded as JSON: ${(error as Error).message}`);
  }
}

function parseTimeout(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    throw invalid(`timeoutMs must be an integer from 1 to ${MAX_TIMEOUT_MS}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseExpectStatus(value: unknown): number[] | null {
  if (value === undefined || value === null) return null;
  const valid = (s: unknown) => typeof s === 'number' && Number.isInteger(s) && s >= 100 && s <= 599;
  if (!Array.isArray(value) || value.length === 0 || !value.every(valid)) {
    throw invalid('expectStatus must be a non-empty array of HTTP status codes (integers from 100 to 599)');
  }
  return value as number[];
}
