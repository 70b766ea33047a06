/**
 * A Server-Sent Events client for `GET /api/v3/executions/{id}/events` that behaves like a browser's
 * EventSource: when the stream ends before the execution's terminal event (the process went away,
 * the connection broke), it reconnects with `Last-Event-ID` — to the other API process when it can.
 * Every `id:` received is kept in order, over all connections, to be compared with the outbox.
 */
import { request } from 'node:http';

export const TERMINAL_EVENTS = new Set(['WorkflowExecutionCompleted', 'WorkflowExecutionFailed', 'WorkflowExecutionCancelled']);

/** No byte for this long (the server sends a keep-alive comment every 15 s): the connection is dead. */
const STALL_MS = 40_000;
/** After the terminal event, how long to keep reading for anything the server should not send. */
const AFTER_TERMINAL_MS = 3_000;

export interface Segment {
  api: string;
  lastEventId: string | null;
  openedAt: number;
  events: number;
  end: string;
}

export interface Api {
  name: string;
  url: string;
}

export class SseWatcher {
  readonly ids: string[] = [];
  readonly types: string[] = [];
  readonly segments: Segment[] = [];
  terminalSeen = false;
  finished = false;
  private aborted = false;
  private current?: () => void;

  constructor(
    readonly executionId: string,
    private readonly key: string,
    private readonly since: () => number,
  ) {}

  /**
   * Runs until the terminal event has been received (and the server closed the stream), or
   * `deadline` (ms on the `since` clock), or abort(). `pickApi(previous)` names the process to
   * (re)connect to, or null when no API process is running.
   */
  async run(first: Api, pickApi: (previous: string | null) => Api | null, deadline: number): Promise<void> {
    let api: Api | null = first;
    let delay = 250;
    while (!this.aborted && !this.terminalSeen && this.since() < deadline) {
      if (!api) {
        await sleep(1000);
        api = pickApi(null);
        continue;
      }
      const before = this.ids.length;
      const end = await this.connect(api);
      const previous = api.name;
      if (this.terminalSeen) break;
      delay = this.ids.length > before ? 250 : Math.min(delay * 2, 2000);
      if (end === 'aborted') break;
      await sleep(delay);
      api = pickApi(previous);
    }
    this.finished = this.terminalSeen;
  }

  abort(): void {
    this.aborted = true;
    this.current?.();
  }

  private connect(api: Api): Promise<string> {
    const lastEventId = this.ids.length ? this.ids[this.ids.length - 1] : null;
    const segment: Segment = { api: api.name, lastEventId, openedAt: this.since(), events: 0, end: 'open' };
    this.segments.push(segment);
    return new Promise<string>((resolve) => {
      let settled = false;
      let stall: NodeJS.Timeout | undefined;
      let afterTerminal: NodeJS.Timeout | undefined;
      const finish = (end: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(stall);
        clearTimeout(afterTerminal);
        segment.end = end;
        req.destroy();
        resolve(end);
      };
      const armStall = () => {
        clearTimeout(stall);
        stall = setTimeout(() => finish(`no data for ${STALL_MS / 1000} s`), STALL_MS);
      };
      this.current = () => finish('aborted');
      const headers: Record<string, string> = { authorization: `Bearer ${this.key}`, accept: 'text/event-stream' };
      if (lastEventId !== null) headers['last-event-id'] = lastEventId;
      const req = request(`${api.url}/api/v3/executions/${this.executionId}/events`, { headers }, (res) => {
        if (res.statusCode !== 200) {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => finish(`HTTP ${res.statusCode} ${body.slice(0, 120)}`));
          res.on('error', () => finish(`HTTP ${res.statusCode}`));
          return;
        }
        armStall();
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          armStall();
          buffer += chunk.replace(/\r\n?/g, '\n');
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            this.onBlock(block, segment);
          }
          if (this.terminalSeen && !afterTerminal) afterTerminal = setTimeout(() => finish('terminal event (server kept the stream open)'), AFTER_TERMINAL_MS);
        });
        res.on('end', () => finish(this.terminalSeen ? 'terminal event, closed by server' : 'closed by server before the terminal event'));
        res.on('error', (e) => finish(`stream error: ${e.message}`));
        res.on('close', () => finish(this.terminalSeen ? 'terminal event, closed by server' : 'connection closed before the terminal event'));
      });
      req.on('error', (e: NodeJS.ErrnoException) => finish(`request error: ${e.code ?? e.message}`));
      armStall();
      req.end();
    });
  }

  private onBlock(block: string, segment: Segment): void {
    let id: string | null = null;
    let type = 'message';
    let hasData = false;
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') type = value;
      else if (field === 'data') hasData = true;
    }
    if (id === null && !hasData) return;
    this.ids.push(id ?? '');
    this.types.push(type);
    segment.events += 1;
    if (TERMINAL_EVENTS.has(type)) this.terminalSeen = true;
  }
}

export interface StreamVerdict {
  executionId: string;
  exact: boolean;
  /** exact; reordered (same events, other order); missing or repeated; unfinished (no terminal event). */
  category: 'exact' | 'reordered' | 'missing or repeated' | 'unfinished';
  /** Which outbox column the `id:` values matched: `position` (today) or `id` (the event uuid). */
  idColumn: 'position' | 'id' | 'none';
  received: number;
  expected: number;
  missing: number;
  duplicates: number;
  unknown: number;
  outOfOrder: boolean;
  reconnects: number;
  reason: string;
}

/** Compares a stream's ids with the execution's events in the outbox, ordered by (tx_id, position). */
export function judgeStream(w: SseWatcher, outbox: Array<{ id: string; position: string }>): StreamVerdict {
  const numeric = w.ids.length > 0 && w.ids.every((id) => /^\d+$/.test(id));
  const idColumn: StreamVerdict['idColumn'] = w.ids.length === 0 ? 'none' : numeric ? 'position' : 'id';
  const expected = outbox.map((e) => (idColumn === 'position' ? String(e.position) : e.id));
  const expectedSet = new Set(expected);
  const seen = new Set<string>();
  let duplicates = 0;
  let unknown = 0;
  for (const id of w.ids) {
    if (seen.has(id)) duplicates += 1;
    seen.add(id);
    if (!expectedSet.has(id)) unknown += 1;
  }
  const missing = expected.filter((id) => !seen.has(id)).length;
  const sameSequence = expected.length === w.ids.length && expected.every((id, i) => w.ids[i] === id);
  const outOfOrder = !sameSequence && missing === 0 && duplicates === 0 && unknown === 0;
  const reasons: string[] = [];
  if (!w.finished) reasons.push('stream did not reach the terminal event');
  if (missing) reasons.push(`${missing} missing`);
  if (duplicates) reasons.push(`${duplicates} repeated`);
  if (unknown) reasons.push(`${unknown} not in the outbox`);
  if (outOfOrder) reasons.push('order differs from (tx_id, position)');
  const exact = sameSequence && w.finished;
  const category: StreamVerdict['category'] = exact ? 'exact' : !w.finished ? 'unfinished' : outOfOrder ? 'reordered' : 'missing or repeated';
  return {
    executionId: w.executionId,
    exact,
    category,
    idColumn,
    received: w.ids.length,
    expected: expected.length,
    missing,
    duplicates,
    unknown,
    outOfOrder,
    reconnects: Math.max(0, w.segments.length - 1),
    reason: exact ? 'exact' : reasons.join('; ') || 'differs',
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
