/** One problem of a 4xx answer, e.g. `{path: 'steps[1].dependsOn[0]', code: 'UNKNOWN_STEP', message: '…'}`. */
export interface ProblemItem {
  path?: string;
  code?: string;
  message?: string;
  [key: string]: unknown;
}

/** An RFC 9457 problem+json body as the API sends it. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: ProblemItem[];
  [key: string]: unknown;
}

/**
 * Every non-2xx answer of the API, thrown by the client: the HTTP status and the problem's stable
 * `code` (`WORKFLOW_NOT_FOUND`, `VALIDATION_FAILED`, …), `title`, `detail` and the listed `errors`.
 */
export class CognitionOsError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: ProblemItem[];
  readonly type: string;
  /** The response's `x-request-id`, to quote when reporting a problem. */
  readonly requestId?: string;

  constructor(status: number, problem: ProblemDetails, requestId?: string) {
    const code = typeof problem.code === 'string' ? problem.code : `HTTP_${status}`;
    const detail = typeof problem.detail === 'string' ? problem.detail : '';
    super(`${status} ${code}${detail ? `: ${detail}` : ''}`);
    this.name = 'CognitionOsError';
    this.status = status;
    this.code = code;
    this.title = typeof problem.title === 'string' ? problem.title : '';
    this.detail = detail;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.type = typeof problem.type === 'string' ? problem.type : 'about:blank';
    this.requestId = requestId;
  }

  /** Reads a failed response's body (problem+json, or anything else a proxy may send) into an error. */
  static async fromResponse(response: Response): Promise<CognitionOsError> {
    const text = await response.text().catch(() => '');
    let problem: ProblemDetails = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) problem = parsed as ProblemDetails;
    } catch {
      problem = { detail: text.slice(0, 500) };
    }
    return new CognitionOsError(response.status, problem, response.headers.get('x-request-id') ?? undefined);
  }
}
