import type { ModelConfig } from '../contracts/agent.types';
import { describe, Problems, readNumber } from './problems';

/** The providers the model port routes to (MODEL_PROVIDER picks the default). */
export const MODEL_PROVIDERS = ['echo', 'openai', 'anthropic'] as const;

/** SPEC section 5 defaults; `model` defaults to `echo` only for the echo provider. */
export const MODEL_DEFAULTS = Object.freeze({ temperature: 0.7, maxTokens: 2000, topP: 1 });

type BaseModelConfig = Omit<ModelConfig, 'fallback'>;
const KEYS = new Set(['provider', 'model', 'temperature', 'maxTokens', 'topP', 'fallback']);

/**
 * Reads a model config: provider (default `defaultProvider`, the deployment's MODEL_PROVIDER),
 * model (required unless the provider is echo), temperature 0–2, maxTokens > 0, topP 0–1, and an
 * optional fallback with the same checks whose omitted fields come from the primary config.
 */
export function readModelConfig(value: unknown, defaultProvider: string, problems: Problems, path = 'modelConfig'): ModelConfig {
  const primary = readBase(value, { provider: defaultProvider, ...MODEL_DEFAULTS }, problems, path, true);
  const raw = isObject(value) ? value : {};
  let fallback: BaseModelConfig | null = null;
  if (raw.fallback !== undefined && raw.fallback !== null) {
    const { provider, temperature, maxTokens, topP } = primary;
    fallback = readBase(raw.fallback, { provider, temperature, maxTokens, topP }, problems, `${path}.fallback`, false);
  }
  return { ...primary, fallback };
}

function readBase(
  value: unknown,
  defaults: { provider: string; temperature: number; maxTokens: number; topP: number },
  problems: Problems,
  path: string,
  allowFallback: boolean,
): BaseModelConfig {
  if (value !== undefined && value !== null && !isObject(value)) problems.add(path, 'INVALID_TYPE', `must be an object, got ${describe(value)}`);
  const raw = isObject(value) ? value : {};
  for (const key of Object.keys(raw)) {
    if (!KEYS.has(key) || (key === 'fallback' && !allowFallback)) problems.add(`${path}.${key}`, 'INVALID_VALUE', 'is not a model config field');
  }
  let provider = defaults.provider;
  if (raw.provider !== undefined) {
    if (typeof raw.provider !== 'string' || !(MODEL_PROVIDERS as readonly string[]).includes(raw.provider)) {
      problems.add(`${path}.provider`, 'INVALID_VALUE', `must be one of ${MODEL_PROVIDERS.join(', ')}, got ${describe(raw.provider)}`);
    } else provider = raw.provider;
  }
  let model = provider === 'echo' ? 'echo' : '';
  if (raw.model === undefined || raw.model === null) {
    if (provider !== 'echo') problems.add(`${path}.model`, 'REQUIRED', `is required for provider ${provider}`);
  } else if (typeof raw.model !== 'string' || raw.model.trim() === '' || raw.model.length > 200) {
    problems.add(`${path}.model`, 'INVALID_VALUE', `must be a model name of 1–200 characters, got ${describe(raw.model)}`);
  } else model = raw.model;
  const number = (key: 'temperature' | 'maxTokens' | 'topP', rule: { min: number; max: number; integer?: boolean }) =>
    raw[key] === undefined ? defaults[key] : (readNumber(raw[key], `${path}.${key}`, problems, rule) ?? defaults[key]);
  return {
    provider,
    model,
    temperature: number('temperature', { min: 0, max: 2 }),
    maxTokens: number('maxTokens', { min: 1, max: 1_000_000, integer: true }),
    topP: number('topP', { min: 0, max: 1 }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
