import { BackgroundLoop, backoffDelay, LoopObserver } from './background-loop';

function recorder() {
  const log: string[] = [];
  const observer: LoopObserver = {
    ran: () => log.push('ran'),
    failed: (_name, error, failures, backoffMs) => log.push(`failed:${(error as Error).message}:${failures}:${backoffMs > 0}`),
    succeeded: (_name, after) => log.push(`ok:${after}`),
  };
  return { log, observer };
}

const until = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('BackgroundLoop', () => {
  it('keeps running after a pass throws or rejects, backing off, and reports the recovery', async () => {
    const { log, observer } = recorder();
    let n = 0;
    const loop = new BackgroundLoop(
      {
        name: 't',
        everyMs: 1,
        backoffMs: 1,
        maxBackoffMs: 2,
        run: async () => {
          n++;
          if (n === 1) throw new Error('db down');
          if (n === 2) return Promise.reject(new Error('still down'));
        },
      },
      observer,
    );
    await until(() => n >= 4);
    await loop.stop();
    expect(log.slice(0, 5)).toEqual(['ran', 'failed:db down:1:true', 'ran', 'failed:still down:2:true', 'ran']);
    expect(log[5]).toBe('ok:2');
  });

  it('runs again at once when a pass says more work is waiting, and sleeps otherwise until woken', async () => {
    const { observer } = recorder();
    let n = 0;
    const loop = new BackgroundLoop({ name: 't', everyMs: 60_000, run: async () => ++n < 3 }, observer);
    await until(() => n === 3);
    await new Promise((r) => setTimeout(r, 30));
    expect(n).toBe(3);
    loop.wake();
    await until(() => n === 4);
    await loop.stop();
  });

  it('a wake-up during a pass is not lost', async () => {
    const { observer } = recorder();
    let n = 0;
    let loop: BackgroundLoop | undefined = undefined;
    loop = new BackgroundLoop(
      {
        name: 't',
        everyMs: 60_000,
        run: async () => {
          n++;
          if (n === 1) loop!.wake();
        },
      },
      observer,
    );
    await until(() => n === 2);
    await loop.stop();
  });

  it('with firstAfterInterval, waits an interval before the first pass', async () => {
    const { observer } = recorder();
    let n = 0;
    const loop = new BackgroundLoop({ name: 't', everyMs: 60_000, firstAfterInterval: true, run: async () => void n++ }, observer);
    await new Promise((r) => setTimeout(r, 30));
    expect(n).toBe(0);
    await loop.stop();
    expect(n).toBe(0);
  });

  it('stop ends an idle sleep and a backoff at once', async () => {
    const { observer } = recorder();
    const idle = new BackgroundLoop({ name: 'idle', everyMs: 60_000, run: async () => undefined }, observer);
    const failing = new BackgroundLoop({ name: 'failing', everyMs: 10, backoffMs: 60_000, maxBackoffMs: 60_000, run: async () => Promise.reject(new Error('x')) }, observer);
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await Promise.all([idle.stop(), failing.stop()]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(failing.failing).toBe(true);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially with jitter and is capped', () => {
    expect(backoffDelay(1, 100, 5000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 5000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 5000, () => 1)).toBe(400);
    expect(backoffDelay(50, 100, 5000, () => 1)).toBe(5000);
    expect(backoffDelay(50, 100, 5000, () => 0)).toBe(2500);
  });
});
