import { finishBy, waitForPending } from './drain';

describe('shutdown drain', () => {
  it('keeps the last fifth of the grace, at most 2 s, for the release', () => {
    expect(finishBy(0, 30)).toBe(28_000);
    expect(finishBy(1000, 5)).toBe(5000);
    expect(finishBy(0, 0)).toBe(0);
  });

  it('waits for work started while it waits, and not past the deadline', async () => {
    const work = new Set<Promise<unknown>>();
    const add = (p: Promise<unknown>) => (work.add(p), p.finally(() => work.delete(p)));
    add(new Promise((r) => setTimeout(r, 5)).then(() => add(new Promise((r) => setTimeout(r, 5)))));
    await waitForPending(() => [...work], Date.now() + 10_000);
    expect(work.size).toBe(0);
    const never = new Promise(() => undefined);
    add(never);
    await waitForPending(() => [...work], Date.now() + 20);
    expect(work.size).toBe(1);
  });

  it('a rejected piece of work does not end the wait early', async () => {
    const work = new Set<Promise<unknown>>([Promise.reject(new Error('x')), new Promise((r) => setTimeout(r, 10))]);
    for (const p of work) void p.catch(() => undefined).finally(() => work.delete(p));
    await waitForPending(() => [...work], Date.now() + 10_000);
    expect(work.size).toBe(0);
  });
});
