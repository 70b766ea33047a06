import { IndexerPacing } from './indexer-pacing';

describe('IndexerPacing', () => {
  let clock = 0;
  const pacing = (settleMs: number, maxDelayMs: number) => new IndexerPacing(settleMs, maxDelayMs, () => clock);
  beforeEach(() => (clock = 1_000));

  it('holds nothing back before any write, or with settleMs 0', () => {
    expect(pacing(100, 2000).holdFor()).toBe(0);
    const eager = pacing(0, 2000);
    eager.written();
    expect(eager.holdFor()).toBe(0);
  });

  it('waits until writes have paused for settleMs', () => {
    const p = pacing(100, 2000);
    p.written();
    expect(p.holdFor()).toBe(100);
    clock += 60;
    p.written();
    expect(p.holdFor()).toBe(100);
    clock += 99;
    expect(p.holdFor()).toBe(1);
    clock += 1;
    expect(p.holdFor()).toBe(0);
  });

  it('runs once the oldest unindexed write has waited maxDelayMs, however busy the stream', () => {
    const p = pacing(100, 500);
    p.written();
    for (let i = 0; i < 9; i++) {
      clock += 50;
      p.written();
    }
    expect(p.holdFor()).toBe(50); // 450 ms after the first write
    clock += 50;
    p.written();
    expect(p.holdFor()).toBe(0);
  });

  it('a stream that is still waiting after a batch that came back full keeps its oldest write', () => {
    const p = pacing(100, 500);
    p.written();
    clock += 500;
    p.batchStarted();
    p.written(); // during the batch
    expect(p.holdFor()).toBe(0); // the oldest write is due: no yielding until a batch comes back short
  });

  it('after a batch came back short, only writes made during or after it count', () => {
    const p = pacing(100, 500);
    p.written();
    clock += 500;
    p.batchStarted();
    clock += 10;
    p.drained();
    expect(p.holdFor()).toBe(0); // nothing waits: a periodic pass may run
    clock += 10;
    p.written();
    expect(p.holdFor()).toBe(100);
    clock += 60;
    p.written();
    clock += 400;
    p.batchStarted();
    clock += 10;
    p.written(); // committed while the batch ran: may be missed by it
    p.drained();
    expect(p.holdFor()).toBe(100); // that write is the oldest now, waiting 0 ms of its 500
  });
});
