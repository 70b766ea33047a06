import { Injectable } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { ModelRequest, ModelResponse } from '../../domain/model-provider.port';
import { ModelAdapter } from './model-adapter';
import { fromOpenAiChatResponse, OPENAI_LABEL, toOpenAiChatRequest } from './openai-chat.wire';
import { ProviderHttp } from './provider-http';

/**
 * `openai`: Chat Completions at OPENAI_BASE_URL (OpenAI, or any compatible server such as Ollama's
 * http://localhost:11434/v1). The Bearer key is sent only when OPENAI_API_KEY is set.
 */
@Injectable()
export class OpenAiCompatibleModelAdapter extends ModelAdapter {
  readonly provider = 'openai';
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(
    config: AppConfig,
    private readonly http: ProviderHttp,
  ) {
    super();
    this.url = `${config.get('OPENAI_BASE_URL').replace(/\/+$/, '')}/chat/completions`;
    const key = config.get('OPENAI_API_KEY');
    this.headers = key ? { authorization: `Bearer ${key}` } : {};
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const json = await this.http.postJson({ label: OPENAI_LABEL, url: this.url, headers: this.headers, body: toOpenAiChatRequest(request), signal: request.signal });
    return fromOpenAiChatResponse(json, request);
  }
}
