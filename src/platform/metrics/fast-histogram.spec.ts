import { Histogram, Registry } from 'prom-client';
import { FastHistogram } from './fast-histogram';

describe('FastHistogram', () => {
  const buckets = [0.001, 0.01, 0.1, 1];
  const observations: [string, string, number][] = [
    ['GET', '/a', 0.0005],
    ['GET', '/a', 0.001],
    ['GET', '/a', 0.05],
    ['POST', '/b', 3],
    ['GET', '/a', 0.2],
    ['POST', '/b', 0],
  ];

  it('is exposed exactly as prom-client exposes a Histogram with the same observations', async () => {
    const theirs = new Registry();
    const reference = new Histogram({ name: 'h_seconds', help: 'help text', labelNames: ['method', 'route'], buckets, registers: [theirs] });
    for (const [method, route, value] of observations) reference.observe({ method, route }, value);

    const ours = new Registry();
    const fast = new FastHistogram('h_seconds', 'help text', ['method', 'route'], buckets, ours);
    for (const [method, route, value] of observations) fast.observeLabels([method, route], value);

    expect(await ours.metrics()).toBe(await theirs.metrics());
    // The JSON form too, but for prom-client's `exemplar: null` (exemplars are off).
    const withoutExemplars = (json: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) =>
      json.map((metric) => ({ ...metric, values: (metric.values as { exemplar?: unknown }[]).map(({ exemplar: _exemplar, ...value }) => value) }));
    expect(await ours.getMetricsAsJSON()).toEqual(withoutExemplars(await theirs.getMetricsAsJSON()));
  });

  it('resolves a series once and times into it', async () => {
    const registry = new Registry();
    const fast = new FastHistogram('t_seconds', 'timer', ['repository', 'method'], buckets, registry);
    const series = fast.series('r', 'm');
    expect(fast.series('r', 'm')).toBe(series);
    expect(fast.series('r', 'n')).not.toBe(series);
    fast.startTimer(series)();
    expect(series.count).toBe(1);
    expect(await registry.metrics()).toContain('t_seconds_count{repository="r",method="m"} 1');
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('t_seconds_count');
  });

  it('does not mix label values that join to the same string', () => {
    const fast = new FastHistogram('j_seconds', 'join', ['a', 'b'], buckets);
    expect(fast.series('x y', 'z')).not.toBe(fast.series('x', 'y z'));
  });
});
