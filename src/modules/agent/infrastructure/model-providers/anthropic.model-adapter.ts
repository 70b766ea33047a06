import { Injectable } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { ModelRequest, ModelResponse } from '../../domain/model-provider.port';
import { ANTHROPIC_LABEL, ANTHROPIC_VERSION, fromAnthropicResponse, toAnthropicRequest } from './anthropic-messages.wire';
import { ModelAdapter } from './model-adapter';
import { ProviderHttp } from './provider-http';

/** `anthropic`: the Messages API at ANTHROPIC_BASE_URL (with or without `/v1`), key in `x-api-key`. */
@Injectable()
export class AnthropicModelAdapter extends ModelAdapter {
  readonly provider = 'anthropic';
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(
    config: AppConfig,
    private readonly http: ProviderHttp,
  ) {
    super();
    this.url = `${config.get('ANTHROPIC_BASE_URL').replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/messages`;
    const key = config.get('ANTHROPIC_API_KEY');
    this.headers = { 'anthropic-version': ANTHROPIC_VERSION, ...(key ? { 'x-api-key': key } : {}) };
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const json = await this.http.postJson({ label: ANTHROPIC_LABEL, url: this.url, headers: this.headers, body: toAnthropicRequest(request), signal: request.signal });
    return fromAnthropicResponse(json, request);
  }
}
