/**
 * Every error code the product answers with. The HTTP mapping table in
 * platform/errors/error-status.map.ts is typed `Record<ErrorCode, number>`, so adding a code here
 * without mapping it is a compile error.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'UNKNOWN_FIELD',
  'BAD_REQUEST',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'INVALID_STRING',
  'INVALID_NUMBER',
  'JSON_TOO_DEEP',
  'INVALID_CURSOR',
  'INVALID_HEADER',
  'URI_TOO_LONG',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONCURRENT_MODIFICATION',
  'IDEMPOTENCY_KEY_REUSED',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
  'RATE_LIMITED',
  'WORKFLOW_NOT_FOUND',
  'WORKFLOW_VERSION_EXISTS',
  'WORKFLOW_INVALID_DAG',
  'WORKFLOW_NOT_DRAFT',
  'WORKFLOW_INVALID_TRANSITION',
  'WORKFLOW_NOT_ACTIVE',
  'EXECUTION_NOT_FOUND',
  'EXECUTION_NOT_RUNNING',
  'EXECUTION_NOT_FAILED',
  'TENANT_NOT_FOUND',
  'API_KEY_NOT_FOUND',
  'AGENT_DEFINITION_NOT_FOUND',
  'AGENT_DEFINITION_EXISTS',
  'AGENT_DEFINITION_IN_USE',
  'AGENT_NOT_FOUND',
  'AGENT_TERMINATED',
  'AGENT_INVALID_TRANSITION',
  'BUDGET_EXCEEDED',
  'TOOL_NOT_FOUND',
  'TASK_NOT_FOUND',
  'TASK_INVALID_DEPENDENCIES',
  'TASK_DEPENDENCY_CYCLE',
  'TASK_NOT_FAILED',
  'TASK_ALREADY_FINISHED',
  'TASK_INVALID_TRANSITION',
  'TRACE_NOT_FOUND',
  'MEMORY_NOT_FOUND',
  'MEMORY_COLLECTION_NOT_FOUND',
  'MEMORY_COLLECTION_EXISTS',
  'MEMORY_POLICY_NOT_FOUND',
  'MEMORY_POLICY_EXISTS',
  'EMBEDDING_DIMENSION_MISMATCH',
  'EMBEDDING_MODEL_REQUIRED',
  'EMBEDDING_PROVIDER_ERROR',
  'SUBSCRIBER_NOT_FOUND',
  'REPLAY_NOT_FOUND',
  'DEAD_LETTER_NOT_FOUND',
  'DEAD_LETTER_RESOLVED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetail {
  /** JSON pointer-like path of the offending field, e.g. `steps[2].dependsOn`. */
  path?: string;
  /** The same place as an RFC 6901 JSON pointer into the request body, e.g. `/steps/2/params/url` (where given). */
  pointer?: string;
  code?: string;
  message: string;
}

/** A rule of the domain was broken. Carries a stable code and, optionally, every problem found. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
