import type { Provider } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { Sleeper } from '@cognition/platform/outbound-http/sleeper';
import { EmbeddingProvider } from '../domain/embedding-provider.port';
import { HashingEmbedder } from './hashing.embedder';
import { OpenAiEmbeddingProvider } from './openai.embedding-provider';

/** EMBEDDING_PROVIDER: `hashing` (the offline default) or `openai` (any OpenAI-compatible /v1/embeddings). */
export function createEmbeddingProvider(config: AppConfig, sleeper: Sleeper): EmbeddingProvider {
  if (config.get('EMBEDDING_PROVIDER') === 'openai') return new OpenAiEmbeddingProvider(config, sleeper);
  return new HashingEmbedder(config.get('EMBEDDING_MODEL'), config.get('EMBEDDING_DIMENSIONS'));
}

export const EMBEDDING_PROVIDER: Provider = { provide: EmbeddingProvider, inject: [AppConfig, Sleeper], useFactory: createEmbeddingProvider };
