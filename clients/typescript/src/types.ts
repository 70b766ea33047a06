import type { FetchResponse, MaybeOptionalInit } from 'openapi-fetch';
import type { HttpMethod, MediaType, PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers';
import type { paths } from './schema';

export type { paths, components, operations } from './schema';

/** The `init` argument of a call to `path` with `method` (optional when nothing in it is required). */
export type InitOf<P extends PathsWithMethod<paths, M>, M extends HttpMethod> = MaybeOptionalInit<paths[P], M>;
export type InitArgs<Init> = RequiredKeysOf<Init> extends never ? [(Init & { [key: string]: unknown })?] : [Init & { [key: string]: unknown }];

/** The 2xx body of `method path`. */
export type DataOf<P extends PathsWithMethod<paths, M>, M extends HttpMethod, Init = unknown> = NonNullable<FetchResponse<Extract<paths[P][M], Record<string | number, any>>, Init, MediaType>['data']>;

/** A call that answers the 2xx body, or throws `CognitionOsError`. */
export type DataMethod<M extends HttpMethod> = <P extends PathsWithMethod<paths, M>, Init extends InitOf<P, M>>(url: P, ...init: InitArgs<Init>) => Promise<DataOf<P, M, Init>>;

/** GET paths answering a page `{items, nextCursor}`. */
export type ListPath = {
  [P in PathsWithMethod<paths, 'get'>]: DataOf<P, 'get'> extends { items: unknown[] } ? P : never;
}[PathsWithMethod<paths, 'get'>];

/** The item type of a list path. */
export type ItemOf<P extends ListPath> = DataOf<P, 'get'> extends { items: (infer T)[] } ? T : never;
