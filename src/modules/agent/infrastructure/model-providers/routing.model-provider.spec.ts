import { Test } from '@nestjs/testing';
import { AppConfig } from '@cognition/config/app-config';
import { validateEnv } from '@cognition/config/env.schema';
import { ModelProvider, ModelProviderError, PriceTable } from '../../domain/model-provider.port';
import { MODEL_PROVIDER_PROVIDERS, RoutingModelProvider } from './index';

async function moduleWith(env: Record<string, string> = {}) {
  const values = validateEnv(env);
  return Test.createTestingModule({ providers: [...MODEL_PROVIDER_PROVIDERS, { provide: AppConfig, useValue: { get: (key: keyof typeof values) => values[key] } }] }).compile();
}

describe('RoutingModelProvider (wired by MODEL_PROVIDER_PROVIDERS)', () => {
  it('provides the port and the price table', async () => {
    const module = await moduleWith();
    expect(module.get(ModelProvider)).toBeInstanceOf(RoutingModelProvider);
    expect(module.get(PriceTable).costOf('openai', 'gpt-4o', { inputTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(2.5, 10);
  });

  it('routes on request.provider', async () => {
    const provider = (await moduleWith()).get(ModelProvider);
    const response = await provider.complete({ provider: 'echo', model: 'echo', messages: [{ role: 'user', content: 'ping' }] });
    expect(response.content).toBe('ping');
  });

  it('refuses an unknown provider with MODEL_PROVIDER_UNKNOWN', async () => {
    const provider = (await moduleWith()).get(ModelProvider);
    const error = await provider.complete({ provider: 'gemini', model: 'x', messages: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ code: 'MODEL_PROVIDER_UNKNOWN', retryable: false });
    expect((error as Error).message).toContain("'gemini'");
  });

  it('fails to start on a bad MODEL_PRICES, naming it', async () => {
    await expect(moduleWith({ MODEL_PRICES: '{oops' })).rejects.toThrow(/MODEL_PRICES/);
  });
});
