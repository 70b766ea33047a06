import { Registry } from 'prom-client';
import { FastHistogram } from './fast-histogram';
import { setRepositoryHistogram, TimedRepository } from './timed';

@TimedRepository('things')
class ThingsReadModel {
  version(id: string): Promise<string | null> {
    return this.one(id);
  }

  async latest(id: string): Promise<string | null> {
    await Promise.resolve();
    // After an await: a call of its own, timed.
    return this.one(id);
  }

  builder(): string {
    return 'not a promise';
  }

  explode(): Promise<never> {
    throw new Error('synchronous failure');
  }

  async reject(): Promise<never> {
    await Promise.resolve();
    throw new Error('rejected');
  }

  private one(id: string): Promise<string | null> {
    return Promise.resolve(id === 'missing' ? null : `thing ${id}`);
  }
}

describe('TimedRepository', () => {
  let registry: Registry;
  let histogram: FastHistogram<'repository' | 'method'>;
  const reads = new ThingsReadModel();

  beforeEach(() => {
    registry = new Registry();
    histogram = new FastHistogram('repo_seconds', 'help', ['repository', 'method'], [0.1, 1], registry);
    setRepositoryHistogram(histogram);
  });

  async function counts(): Promise<Record<string, number>> {
    const [metric] = await registry.getMetricsAsJSON();
    const byMethod: Record<string, number> = {};
    for (const value of metric.values as { metricName?: string; labels: Record<string, string>; value: number }[]) {
      if (value.metricName === 'repo_seconds_count') byMethod[value.labels.method] = value.value;
    }
    return byMethod;
  }

  it('times a call once, not again for the helper it calls synchronously', async () => {
    await expect(reads.version('a')).resolves.toBe('thing a');
    await expect(reads.version('missing')).resolves.toBeNull();
    expect(await counts()).toEqual({ version: 2 });
  });

  it('times a helper called after an await as a call of its own', async () => {
    await expect(reads.latest('b')).resolves.toBe('thing b');
    expect(await counts()).toEqual({ latest: 1, one: 1 });
  });

  it('passes synchronous results through untimed, and times rejections', async () => {
    expect(reads.builder()).toBe('not a promise');
    await expect(reads.reject()).rejects.toThrow('rejected');
    expect(await counts()).toEqual({ reject: 1 });
  });

  it('recovers from a method that throws synchronously: the next call is timed', async () => {
    expect(() => reads.explode()).toThrow('synchronous failure');
    await reads.version('c');
    expect(await counts()).toEqual({ version: 1 });
  });
});
