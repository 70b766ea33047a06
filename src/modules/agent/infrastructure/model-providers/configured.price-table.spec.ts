import { AppConfig } from '@cognition/config/app-config';
import { BUILT_IN_PRICES, ConfiguredPriceTable, parseModelPrices } from './configured.price-table';

const table = (prices = '') => new ConfiguredPriceTable({ get: (key: string) => (key === 'MODEL_PRICES' ? prices : undefined) } as unknown as AppConfig);
const usage = (inputTokens: number, outputTokens: number) => ({ inputTokens, outputTokens });

describe('ConfiguredPriceTable', () => {
  it('prices a model by its exact name, USD per million tokens', () => {
    expect(table().costOf('openai', 'gpt-4o-mini', usage(1_000_000, 1_000_000))).toBeCloseTo(0.15 + 0.6, 10);
    expect(table().costOf('anthropic', 'claude-opus-4', usage(2000, 1000))).toBeCloseTo((2000 * 15 + 1000 * 75) / 1e6, 12);
  });

  it('falls back to the longest matching prefix', () => {
    const prices = table();
    expect(prices.priceOf('gpt-4o-mini-2024-07-18')).toEqual(BUILT_IN_PRICES['gpt-4o-mini']);
    expect(prices.priceOf('gpt-4o-2024-08-06')).toEqual(BUILT_IN_PRICES['gpt-4o']);
    expect(prices.priceOf('claude-3-5-haiku-20241022')).toEqual(BUILT_IN_PRICES['claude-3-5-haiku']);
    expect(prices.priceOf('claude-opus-4-1-20250805')).toEqual({ input: 15, output: 75 });
    expect(prices.priceOf('claude-opus-4-5-20251101')).toEqual({ input: 5, output: 25 });
    expect(prices.priceOf('GPT-4.1-MINI')).toEqual(BUILT_IN_PRICES['gpt-4.1-mini']);
  });

  it('costs 0 for an unknown model and for echo', () => {
    expect(table().costOf('openai', 'llama3.2', usage(5000, 5000))).toBe(0);
    expect(table().costOf('echo', 'gpt-4o', usage(5000, 5000))).toBe(0);
  });

  it('merges MODEL_PRICES over the built-in table', () => {
    const prices = table('{"gpt-4o-mini": {"input": 1, "output": 2}, "llama3.2": {"input": 0.01, "output": 0.02}}');
    expect(prices.costOf('openai', 'gpt-4o-mini', usage(1_000_000, 1_000_000))).toBeCloseTo(3, 10);
    expect(prices.costOf('openai', 'llama3.2:3b', usage(1_000_000, 0))).toBeCloseTo(0.01, 10);
    expect(prices.costOf('openai', 'gpt-4o', usage(1_000_000, 0))).toBeCloseTo(2.5, 10);
  });

  it.each([
    ['not JSON', '{gpt: 1}', /MODEL_PRICES: not valid JSON/],
    ['an array', '[]', /MODEL_PRICES: must be a JSON object/],
    ['a number as price', '{"m": 3}', /MODEL_PRICES: "m" must be/],
    ['a missing output', '{"m": {"input": 1}}', /MODEL_PRICES: "m" must be/],
    ['a negative price', '{"m": {"input": -1, "output": 1}}', /MODEL_PRICES: "m" must be/],
    ['a string price', '{"m": {"input": "1", "output": 1}}', /MODEL_PRICES: "m" must be/],
    ['an unknown key', '{"m": {"input": 1, "output": 1, "cached": 0.1}}', /MODEL_PRICES: "m" must be/],
  ])('refuses %s at start, naming MODEL_PRICES', (_, raw, message) => {
    expect(() => table(raw)).toThrow(message);
  });

  it('treats an empty MODEL_PRICES as none', () => {
    expect(parseModelPrices('')).toEqual({});
    expect(parseModelPrices('  ')).toEqual({});
  });
});
