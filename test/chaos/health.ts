/** Polls `/health/ready` of each API process every 250 ms and keeps every answer. */

export interface ReadySample {
  at: number;
  ok: boolean;
  /** HTTP status, or the connection error. */
  detail: string;
}

export class ReadyPoller {
  readonly samples = new Map<string, ReadySample[]>();
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly since: () => number,
    private readonly intervalMs = 250,
  ) {}

  watch(name: string, url: string): void {
    const list: ReadySample[] = [];
    this.samples.set(name, list);
    this.loops.push(this.loop(url, list));
  }

  private async loop(url: string, list: ReadySample[]): Promise<void> {
    while (!this.stopped) {
      const started = Date.now();
      let ok = false;
      let detail: string;
      try {
        const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) });
        ok = res.status === 200;
        detail = String(res.status);
        await res.arrayBuffer().catch(() => undefined);
      } catch (error) {
        const e = error as { name?: string; cause?: { code?: string } };
        detail = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.name ?? 'error');
      }
      list.push({ at: this.since(), ok, detail });
      const wait = this.intervalMs - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  /** Whether any answer in [from, to] was not ready. */
  downDuring(name: string, from: number, to: number): boolean {
    return (this.samples.get(name) ?? []).some((s) => s.at >= from && s.at <= to && !s.ok);
  }

  /** ms from `t` to the first ready answer at or after `t`; null when none came (by `until`). */
  upAfter(name: string, t: number, until = Infinity): number | null {
    const first = (this.samples.get(name) ?? []).find((s) => s.at >= t && s.at <= until && s.ok);
    return first ? first.at - t : null;
  }

  /** ms from `t` until answers were ready again and stayed so (the last not-ready answer after `t`). */
  lastDownAfter(name: string, t: number, until: number): number | null {
    const down = (this.samples.get(name) ?? []).filter((s) => s.at >= t && s.at <= until && !s.ok);
    return down.length ? down[down.length - 1].at - t : null;
  }

  /** The not-ready answers' details in [from, to], counted. */
  detailsDuring(name: string, from: number, to: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.samples.get(name) ?? []) if (s.at >= from && s.at <= to && !s.ok) out[s.detail] = (out[s.detail] ?? 0) + 1;
    return out;
  }
}
