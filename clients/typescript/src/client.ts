import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { HttpMethod } from 'openapi-typescript-helpers';
import { CognitionOsError } from './errors';
import { idempotencyMiddleware, newIdempotencyKey } from './idempotency';
import { paginate } from './pagination';
import { executionEvents, type ExecutionEventsOptions, type ExecutionEvent } from './sse';
import type { DataMethod, InitArgs, InitOf, ItemOf, ListPath, paths } from './types';

export interface CognitionOsClientOptions {
  /** The server, e.g. `http://localhost:3000` (paths carry the `/api/v3` prefix). */
  baseUrl: string;
  /** An API key, sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** Replaces the global fetch (tests, proxies, retries). */
  fetch?: typeof globalThis.fetch;
  /** Makes the `Idempotency-Key` sent when a call gives none (default: a random UUID). */
  idempotencyKey?: () => string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

/**
 * The openapi-fetch client of the API (`GET`, `POST`, … by path, typed from the document) with API-key
 * auth and `Idempotency-Key`s; any non-2xx answer is thrown as `CognitionOsError`. The lowercase
 * methods (`get`, `post`, …) answer the body itself; `paginate` walks a list, `events` follows an
 * execution's event stream.
 */
export interface CognitionOsClient extends Client<paths> {
  get: DataMethod<'get'>;
  post: DataMethod<'post'>;
  put: DataMethod<'put'>;
  patch: DataMethod<'patch'>;
  delete: DataMethod<'delete'>;
  /** Every item of a list, page after page (`?cursor=` ← `nextCursor`); `query.limit` sets the page size. */
  paginate<P extends ListPath, Init extends InitOf<P, 'get'>>(url: P, ...init: InitArgs<Init>): AsyncIterable<ItemOf<P>>;
  /** The events of an execution (SSE), resumed with `Last-Event-ID` after a dropped connection, until it ends. */
  events(executionId: string, options?: ExecutionEventsOptions): AsyncIterable<ExecutionEvent>;
}

/** Throws every non-2xx answer as a CognitionOsError, so a call's `data` is always its 2xx body. */
const throwOnProblem: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await CognitionOsError.fromResponse(response);
    return undefined;
  },
};

export function createCognitionOsClient(options: CognitionOsClientOptions): CognitionOsClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers = { ...options.headers, authorization: `Bearer ${options.apiKey}` };
  // Called as a method of another object (the stream's connection), a browser's own fetch throws "Illegal invocation": wrap it.
  const fetchFn: typeof globalThis.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const api = createClient<paths>({ baseUrl, headers, fetch: fetchFn });
  api.use(idempotencyMiddleware(options.idempotencyKey ?? newIdempotencyKey), throwOnProblem);

  const data =
    (method: HttpMethod) =>
    async (url: string, init?: object): Promise<unknown> =>
      (await api.request(method as 'get', url as never, init as never)).data;

  return Object.assign(api, {
    get: data('get') as DataMethod<'get'>,
    post: data('post') as DataMethod<'post'>,
    put: data('put') as DataMethod<'put'>,
    patch: data('patch') as DataMethod<'patch'>,
    delete: data('delete') as DataMethod<'delete'>,
    paginate: ((url: string, init?: { params?: { query?: Record<string, unknown> } }) =>
      paginate((query) => data('get')(url, { ...init, params: { ...init?.params, query } }) as never, init?.params?.query)) as CognitionOsClient['paginate'],
    events: (executionId: string, eventOptions?: ExecutionEventsOptions) => executionEvents({ baseUrl, headers, fetch: fetchFn }, executionId, eventOptions),
  });
}
