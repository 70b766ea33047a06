import { exitOnShutdownSignals, SHUTDOWN_MARGIN_SECONDS } from './shutdown-signals';

/** The process side of shutdown, with a fake app, a fake exit and a signal nobody else listens to. */
describe('exitOnShutdownSignals', () => {
  const signal = 'SIGUSR2' as NodeJS.Signals;
  let remove: (() => void) | undefined;
  afterEach(() => {
    remove?.();
    jest.useRealTimers();
  });

  const setup = (close: () => Promise<void>) => {
    const exits: number[] = [];
    const app = { close: jest.fn((_signal?: string) => close()) };
    remove = exitOnShutdownSignals(app, { graceSeconds: 1, signals: [signal], exit: (code) => exits.push(code), logger: { log: () => undefined, warn: () => undefined, error: () => undefined } });
    return { app, exits };
  };
  const flush = () => new Promise((r) => setImmediate(r));

  it('closes the app once with the signal, then exits 0', async () => {
    const { app, exits } = setup(async () => undefined);
    process.emit(signal, signal);
    await flush();
    expect(app.close).toHaveBeenCalledTimes(1);
    expect(app.close).toHaveBeenCalledWith(signal);
    expect(exits).toEqual([0]);
  });

  it('runs afterClose once the app has closed, then exits 0', async () => {
    const order: string[] = [];
    const app = { close: jest.fn(async () => void order.push('close')) };
    const exits: number[] = [];
    remove = exitOnShutdownSignals(app, {
      graceSeconds: 1,
      signals: [signal],
      exit: (code) => exits.push(code),
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      afterClose: async () => void order.push('afterClose'),
    });
    process.emit(signal, signal);
    await flush();
    expect(order).toEqual(['close', 'afterClose']);
    expect(exits).toEqual([0]);
  });

  it('exits 1 when closing fails', async () => {
    const { exits } = setup(async () => {
      throw new Error('boom');
    });
    process.emit(signal, signal);
    await flush();
    expect(exits).toEqual([1]);
  });

  it('a second signal while closing forces exit 1 and does not close again', async () => {
    const { app, exits } = setup(() => new Promise(() => undefined));
    process.emit(signal, signal);
    process.emit(signal, signal);
    await flush();
    expect(app.close).toHaveBeenCalledTimes(1);
    expect(exits).toEqual([1]);
  });

  it('forces exit 1 when closing outlasts the grace plus the margin', async () => {
    jest.useFakeTimers();
    const { exits } = setup(() => new Promise(() => undefined));
    process.emit(signal, signal);
    jest.advanceTimersByTime((1 + SHUTDOWN_MARGIN_SECONDS) * 1000 - 1);
    expect(exits).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(exits).toEqual([1]);
  });
});
