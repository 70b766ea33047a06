import { lookup } from 'node:dns/promises';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { AllowList, ResolvedAddress, checkHost, compileAllowList } from '@cognition/platform/outbound-http/host-guard';
import { AgentTool, AgentToolContext, AgentToolError, AgentToolHandler } from '../contracts';

const MAX_REDIRECTS = 5;
/** The model sees at most this much of a body (characters). */
export const HTTP_FETCH_MAX_CHARS = 20_000;
const MAX_BYTES = 2 * 1024 * 1024;

/**
 * `http_fetch`: lets an agent GET (or POST) a URL on the same allow-list as the `http_request`
 * step (HTTP_STEP_ALLOWED_HOSTS; private and loopback addresses only when listed). Every redirect
 * hop is checked again. The body is returned as text, truncated for the model.
 */
@Injectable()
@AgentTool('http_fetch')
export class HttpFetchTool implements AgentToolHandler {
  readonly description = 'Fetch a URL over HTTP(S) and return its status and body text. Only allow-listed hosts can be reached.';
  readonly parameters = {
    type: 'object',
    properties: {
      url: { type: 'string', description: 'Absolute http(s) URL' },
      method: { type: 'string', enum: ['GET', 'POST'], description: 'Defaults to GET' },
      body: { type: 'string', description: 'Request body for POST (sent as text, or JSON when it parses)' },
    },
    required: ['url'],
    additionalProperties: false,
  };
  readonly requiredPermissions = ['http'];
  private readonly allowList: AllowList;

  constructor(config: AppConfig) {
    this.allowList = compileAllowList(config.get('HTTP_STEP_ALLOWED_HOSTS'));
  }

  async execute(args: Record<string, unknown>, context: AgentToolContext): Promise<unknown> {
    let url = parseUrl(args.url);
    let method = args.method === 'POST' ? 'POST' : 'GET';
    let body = method === 'POST' && typeof args.body === 'string' ? args.body : undefined;
    for (let hop = 0; ; hop++) {
      await this.guard(url);
      const headers: Record<string, string> = body === undefined ? {} : { 'content-type': isJson(body) ? 'application/json' : 'text/plain' };
      const response = await fetch(url, { method, body, headers, redirect: 'manual', signal: context.signal });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) throw new AgentToolError('HTTP_TOO_MANY_REDIRECTS', `more than ${MAX_REDIRECTS} redirects`);
        url = parseUrl(new URL(location, url).toString());
        if (response.status === 303 || method === 'POST') [method, body] = ['GET', undefined];
        continue;
      }
      const text = await readText(response);
      return { status: response.status, contentType: response.headers.get('content-type'), body: text.slice(0, HTTP_FETCH_MAX_CHARS), truncated: text.length > HTTP_FETCH_MAX_CHARS };
    }
  }

  /** Resolves a hostname to every address (overridable in tests). */
  protected resolveHost(hostname: string): Promise<ResolvedAddress[]> {
    return lookup(hostname, { all: true, verbatim: true });
  }

  private async guard(url: URL): Promise<void> {
    const check = await checkHost(url, this.allowList, (host) => this.resolveHost(host));
    if (!check.allowed) throw new AgentToolError('HOST_NOT_ALLOWED', `http_fetch: ${check.reason}`);
  }
}

function parseUrl(value: unknown): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new AgentToolError('INVALID_ARGUMENTS', `http_fetch: not an absolute URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AgentToolError('INVALID_ARGUMENTS', `http_fetch: unsupported protocol ${url.protocol}`);
  return url;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The body as text, reading at most MAX_BYTES (the rest is never downloaded). */
async function readText(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  while (size < MAX_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    size += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, MAX_BYTES).toString('utf8');
}
