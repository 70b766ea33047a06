import { STATUS_CODES } from 'node:http';
import { isConnectionError } from '@cognition/platform/database/pg-errors';
import { DomainError, ErrorCode, ErrorDetail } from '@cognition/platform/domain';
import { ERROR_STATUS } from './error-status.map';

/** RFC 9457 problem details, as every error response of the API. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: ErrorDetail[];
}

const TYPE_BASE = 'https://cognitionos.dev/problems/';

export function problemFor(code: ErrorCode, detail: string, errors?: ErrorDetail[]): Problem {
  const status = ERROR_STATUS[code];
  const problem: Problem = {
    type: `${TYPE_BASE}${code.toLowerCase().replace(/_/g, '-')}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
  };
  if (errors?.length) problem.errors = errors;
  return problem;
}

/** Known framework errors by the codes Fastify gives them. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Turns anything thrown into a problem; unknown errors become a bare 500 with no internals. */
export function toProblem(error: unknown): Problem {
  if (error instanceof DomainError) return problemFor(error.code, error.message, error.errors);
  const e = error as { code?: string; statusCode?: number; status?: number; message?: string; getStatus?: () => number };
  if (e?.code && FASTIFY_CODES[e.code]) return problemFor(FASTIFY_CODES[e.code], e.message ?? '');
  if (error instanceof SyntaxError || e?.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return problemFor('MALFORMED_JSON', 'The request body is not valid JSON');
  }
  const status = typeof e?.getStatus === 'function' ? e.getStatus() : (e?.statusCode ?? e?.status);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = HTTP_CODES[status] ?? 'BAD_REQUEST';
    const problem = problemFor(code, e.message ?? STATUS_CODES[status] ?? 'Bad request');
    return { ...problem, status, title: STATUS_CODES[status] ?? problem.title };
  }
  if (status === 503) return problemFor('SERVICE_UNAVAILABLE', 'A dependency is not available', serviceErrors(error));
  if (isConnectionError(error) || isConnectionError((error as { driverError?: unknown })?.driverError)) {
    return problemFor('SERVICE_UNAVAILABLE', 'The database is not reachable right now; retry shortly');
  }
  return problemFor('INTERNAL_ERROR', 'An unexpected error occurred');
}

/** Terminus puts the failing checks in the response of its 503; list them without internals. */
function serviceErrors(error: unknown): ErrorDetail[] | undefined {
  const response = (error as { getResponse?: () => { error?: Record<string, { status?: string }> } }).getResponse?.();
  if (!response?.error) return undefined;
  return Object.entries(response.error).map(([path, v]) => ({ path, message: `${path} is ${v.status ?? 'down'}` }));
}
