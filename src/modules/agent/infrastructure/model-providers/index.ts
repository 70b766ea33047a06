import { Provider } from '@nestjs/common';
import { ModelProvider, PriceTable } from '../../domain/model-provider.port';
import { AnthropicModelAdapter } from './anthropic.model-adapter';
import { ConfiguredPriceTable } from './configured.price-table';
import { EchoModelAdapter } from './echo.model-adapter';
import { OpenAiCompatibleModelAdapter } from './openai-compatible.model-adapter';
import { ProviderHttp } from './provider-http';
import { RoutingModelProvider } from './routing.model-provider';
import { Sleeper } from '@cognition/platform/outbound-http/sleeper';

export { AnthropicModelAdapter, ConfiguredPriceTable, EchoModelAdapter, OpenAiCompatibleModelAdapter, ProviderHttp, RoutingModelProvider, Sleeper };

/** The model providers of the agent module: the port, the price table, the adapters and their HTTP. */
export const MODEL_PROVIDER_PROVIDERS: Provider[] = [
  Sleeper,
  ProviderHttp,
  OpenAiCompatibleModelAdapter,
  AnthropicModelAdapter,
  EchoModelAdapter,
  { provide: ModelProvider, useClass: RoutingModelProvider },
  { provide: PriceTable, useClass: ConfiguredPriceTable },
];
