import { DEFAULT_TIMEOUT_MS, HTTP_METHODS, MAX_TIMEOUT_MS } from './http-request.params';

const scalar = { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] };

/**
 * Params of `http_request` (SPEC section 4), as `parseHttpRequestParams` reads them at run time:
 * `url` (http or https) is required; `body` is any JSON (a string is sent as is when a
 * content-type header is given, anything else as JSON).
 */
export const HTTP_REQUEST_PARAMS = {
  type: 'object',
  required: ['url'],
  properties: {
    method: { type: 'string', enum: [...HTTP_METHODS, ...HTTP_METHODS.map((m) => m.toLowerCase())], default: 'GET' },
    url: { type: 'string', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://', description: 'An absolute http(s) URL on an allow-listed host (HTTP_STEP_ALLOWED_HOSTS)' },
    headers: { type: 'object', additionalProperties: scalar, description: 'Header name → value' },
    query: {
      type: 'object',
      additionalProperties: { anyOf: [...scalar.anyOf, { type: 'array', items: scalar }, { enum: [null] }] },
      description: 'Appended to the URL; an array repeats the key, null leaves it out',
    },
    body: { description: 'Any JSON; not allowed with GET or HEAD' },
    timeoutMs: { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_MS, default: DEFAULT_TIMEOUT_MS },
    expectStatus: {
      type: 'array',
      minItems: 1,
      items: { type: 'integer', minimum: 100, maximum: 599 },
      description: 'Statuses that complete the step (default: any 2xx)',
    },
  },
  additionalProperties: false,
};
