import { ContractValidator, contractOf } from './contract-validator';

/**
 * A tiny HTTP client for e2e tests: real requests over loopback, JSON in and out. Every response is
 * checked against the server's own OpenAPI document (`/docs-json`, see contract-validator.ts): a
 * status, media type or body the document does not describe fails the call.
 */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as-is (for malformed JSON and huge bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** false: skip the contract check of this response (a test that needs an undocumented answer says why). */
  contract?: boolean;
}

export class ContractViolationError extends Error {
  constructor(
    readonly problems: string[],
    readonly body: unknown,
  ) {
    super(`The response does not match /docs-json:\n  ${problems.join('\n  ')}\nbody: ${JSON.stringify(body)?.slice(0, 2000)}`);
  }
}

export function apiClient(baseUrl: string, defaultKey: string) {
  let contract: Promise<ContractValidator | null> | undefined;
  return async function api<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const check = options.contract !== false;
    // Loaded before the first request, while the server is surely up; a server that serves no
    // document (another app) is not checked — the contract suite proves ours serves it.
    if (check) contract ??= contractOf(baseUrl).catch(() => null);
    const validator = check ? await contract : null;
    const key = options.key === undefined ? defaultKey : options.key;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    if (validator) {
      const problems = validator.check({ method, path, status: res.status, contentType: res.headers.get('content-type'), body: parsed });
      if (problems.length) throw new ContractViolationError(problems, parsed);
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
}
