import { Injectable } from '@nestjs/common';
import { ModelProvider, ModelProviderError, ModelRequest, ModelResponse } from '../../domain/model-provider.port';
import { AnthropicModelAdapter } from './anthropic.model-adapter';
import { EchoModelAdapter } from './echo.model-adapter';
import { ModelAdapter } from './model-adapter';
import { OpenAiCompatibleModelAdapter } from './openai-compatible.model-adapter';

/** The ModelProvider port: sends each request to the adapter named by `request.provider`. */
@Injectable()
export class RoutingModelProvider extends ModelProvider {
  private readonly adapters: ReadonlyMap<string, ModelAdapter>;

  constructor(openai: OpenAiCompatibleModelAdapter, anthropic: AnthropicModelAdapter, echo: EchoModelAdapter) {
    super();
    this.adapters = new Map([openai, anthropic, echo].map((adapter) => [adapter.provider, adapter]));
  }

  complete(request: ModelRequest): Promise<ModelResponse> {
    const adapter = this.adapters.get(request.provider);
    if (!adapter) {
      const known = [...this.adapters.keys()].join(', ');
      return Promise.reject(new ModelProviderError('MODEL_PROVIDER_UNKNOWN', `Unknown model provider '${request.provider}' (known: ${known})`));
    }
    return adapter.complete(request);
  }
}
