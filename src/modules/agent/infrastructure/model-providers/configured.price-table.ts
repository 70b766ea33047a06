import { Injectable } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { ModelUsage, PriceTable } from '../../domain/model-provider.port';

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/**
 * List prices (USD per million input / output tokens, standard tier, no caching or batch discount)
 * as published on OpenAI's and Anthropic's pricing pages, checked 2026-11-26. Prices change:
 * override or add models with MODEL_PRICES.
 */
export const BUILT_IN_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-opus-4': { input: 15, output: 75 },
  // Opus 4.5 and later are priced below Opus 4 / 4.1, which the `claude-opus-4` prefix would give them.
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-6': { input: 5, output: 25 },
  'claude-opus-4-7': { input: 5, output: 25 },
  'claude-opus-4-8': { input: 5, output: 25 },
};

/**
 * The cost of a model call: the built-in table merged with MODEL_PRICES
 * (`{"<model>": {"input": n, "output": n}}`, validated at start). A model is looked up by its exact
 * name, else by the longest name in the table it starts with (`gpt-4o-mini-2024-07-18` →
 * `gpt-4o-mini`), case-insensitively; an unknown model and the `echo` provider cost 0.
 */
@Injectable()
export class ConfiguredPriceTable extends PriceTable {
  private readonly prices: ReadonlyMap<string, ModelPrice>;
  /** Names longest first, for the prefix lookup. */
  private readonly names: readonly string[];

  constructor(config: AppConfig) {
    super();
    const merged = { ...BUILT_IN_PRICES, ...parseModelPrices(config.get('MODEL_PRICES')) };
    this.prices = new Map(Object.entries(merged).map(([model, price]) => [model.toLowerCase(), price]));
    this.names = [...this.prices.keys()].sort((a, b) => b.length - a.length);
  }

  costOf(provider: string, model: string, usage: ModelUsage): number {
    if (provider === 'echo') return 0;
    const price = this.priceOf(model);
    if (!price) return 0;
    return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
  }

  priceOf(model: string): ModelPrice | undefined {
    const name = model.toLowerCase();
    const exact = this.prices.get(name);
    if (exact) return exact;
    const prefix = this.names.find((candidate) => name.startsWith(candidate));
    return prefix === undefined ? undefined : this.prices.get(prefix);
  }
}

/** Parses MODEL_PRICES ('' = none); a bad value throws an Error naming the variable. */
export function parseModelPrices(raw: string | undefined): Record<string, ModelPrice> {
  if (raw === undefined || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`MODEL_PRICES: not valid JSON (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('MODEL_PRICES: must be a JSON object {"<model>": {"input": <USD per 1M tokens>, "output": <USD per 1M tokens>}}');
  }
  const prices: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(parsed as Record<string, unknown>)) {
    const { input, output } = (price ?? {}) as Record<string, unknown>;
    const valid = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
    if (!model.trim() || !price || typeof price !== 'object' || !valid(input) || !valid(output) || Object.keys(price).some((k) => k !== 'input' && k !== 'output')) {
      throw new Error(`MODEL_PRICES: "${model}" must be {"input": n, "output": n} with numbers >= 0 (USD per million tokens)`);
    }
    prices[model] = { input: input as number, output: output as number };
  }
  return prices;
}
