import { randomBytes } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * Shared base of the fake model servers (openai-fake-server.ts, anthropic-fake-server.ts): a plain
 * node:http server on 127.0.0.1 and a free port that records every request, checks it like the
 * real API would, serves scripted responses first and otherwise answers by the default script below.
 */
export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (the raw text when it is not JSON). */
  body: any;
}

export interface FakeResponse {
  /** 200 when omitted. */
  status?: number;
  headers?: Record<string, string>;
  /** Omitted: the default answer for a 2xx, the provider's error body for that status otherwise. */
  body?: unknown;
  /** Wait this long before answering (to make a client time out). */
  delayMs?: number;
  /** Close the connection without answering (a network error for the client). */
  dropConnection?: boolean;
}

export interface FakeModelServer {
  /** What goes in OPENAI_BASE_URL / ANTHROPIC_BASE_URL. */
  baseUrl: string;
  /** Every request received, invalid ones included, in order. */
  requests: FakeRequest[];
  /**
   * Responses served, in order, before the default behaviour. A request the fake finds malformed is
   * answered with the provider's 400/401/404 and does not consume the queue.
   */
  enqueue(...responses: FakeResponse[]): void;
  close(): Promise<void>;
}

/** What each provider's fake plugs into the server. */
export interface FakeApi {
  /** The provider's error answer for a bad request (wrong path, missing key, malformed body), else null. */
  check(request: FakeRequest): { status: number; body: unknown } | null;
  /** The default 200 answer (see defaultReply). */
  answer(request: FakeRequest): unknown;
  /** The provider's error body for an enqueued error status given without a body. */
  errorBody(status: number): unknown;
}

export async function startFakeHttpServer(api: FakeApi, basePath = ''): Promise<FakeModelServer> {
  const requests: FakeRequest[] = [];
  const queue: FakeResponse[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readBody(req);
    const request: FakeRequest = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], headers: req.headers, body: parseJson(text) };
    requests.push(request);
    const refused = api.check(request);
    if (refused) return send(res, refused.status, {}, refused.body);
    const scripted = queue.shift() ?? {};
    const status = scripted.status ?? 200;
    if (scripted.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, scripted.delayMs);
        timers.add(timer);
      });
    }
    if (res.destroyed || req.socket.destroyed) return;
    if (scripted.dropConnection) return req.socket.destroy();
    const body = scripted.body !== undefined ? scripted.body : status < 400 ? api.answer(request) : api.errorBody(status);
    send(res, status, scripted.headers ?? {}, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) send(res, 500, {}, { error: { message: `fake server bug: ${error.message}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${basePath}`,
    requests,
    enqueue: (...responses) => void queue.push(...responses),
    close: async () => {
      timers.forEach((timer) => clearTimeout(timer));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// The default script, the same for both providers.

/** A conversation flattened in order: user text and tool results (system text and assistant turns are left out). */
export type ConversationItem = { kind: 'user_text'; text: string } | { kind: 'tool_result'; content: string };

export type FakeReply = { kind: 'text'; text: string } | { kind: 'tool_calls'; calls: Array<{ name: string; args: Record<string, unknown> }> };

export const MAX_DEFAULT_REPLY = 500;

/**
 * (a) The request offers tools and the LAST user message has `[[tool:<name> <json-args>]]` for an
 *     offered tool (several directives: several calls), with no tool result after it → those calls;
 * (b) else if any user message has `[[answer:<text>]]` (the last one wins) → exactly <text>;
 * (c) else `done: <the last tool result, or the last user message>`, cut to 500 characters.
 */
export function defaultReply(items: ConversationItem[], offeredTools: string[]): FakeReply {
  const lastUser = items.map((i) => i.kind).lastIndexOf('user_text');
  const userText = lastUser >= 0 ? (items[lastUser] as { text: string }).text : null;
  const answered = items.slice(lastUser + 1).some((i) => i.kind === 'tool_result');
  if (userText !== null && !answered && offeredTools.length > 0) {
    const calls = toolDirectives(userText).filter((call) => offeredTools.includes(call.name));
    if (calls.length > 0) return { kind: 'tool_calls', calls };
  }
  const answers = items.flatMap((i) => (i.kind === 'user_text' ? [...i.text.matchAll(/\[\[answer:([\s\S]*?)\]\]/g)].map((m) => m[1]) : []));
  if (answers.length > 0) return { kind: 'text', text: answers[answers.length - 1] };
  const lastResult = [...items].reverse().find((i) => i.kind === 'tool_result') as { content: string } | undefined;
  return { kind: 'text', text: `done: ${lastResult?.content ?? userText ?? ''}`.slice(0, MAX_DEFAULT_REPLY) };
}

/** `[[tool:<name>]]` or `[[tool:<name> <json object>]]`; a directive whose args do not parse is ignored. */
export function toolDirectives(text: string): Array<{ name: string; args: Record<string, unknown> }> {
  const calls: Array<{ name: string; args: Record<string, unknown> }> = [];
  const start = /\[\[tool:([A-Za-z0-9_.:-]+)(\]\]|\s+)/g;
  for (let match = start.exec(text); match; match = start.exec(text)) {
    if (match[2] === ']]') {
      calls.push({ name: match[1], args: {} });
      continue;
    }
    const from = match.index + match[0].length;
    // The args end at the first `]]` after which the text parses as a JSON object.
    for (let end = text.indexOf(']]', from); end >= 0; end = text.indexOf(']]', end + 1)) {
      const args = parseObject(text.slice(from, end));
      if (args) {
        calls.push({ name: match[1], args });
        start.lastIndex = end + 2;
        break;
      }
    }
  }
  return calls;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** Tokens the fakes report: ceil(chars / 4), at least 1. */
export function fakeTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

/** Characters of a reply: its text, or its tool calls' arguments as JSON. */
export function replyChars(reply: FakeReply): number {
  return reply.kind === 'text' ? reply.text.length : reply.calls.reduce((n, call) => n + JSON.stringify(call.args).length, 0);
}

/** A random id in the provider's style (`chatcmpl-…`, `call_…`, `msg_01…`, `toolu_01…`). */
export function randomId(prefix: string, length = 24): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return prefix + [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, any> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
