import { ModelRequest, ModelResponse } from '../../domain/model-provider.port';

/** One provider's API (`openai`, `anthropic`, `echo`); RoutingModelProvider picks one per request. */
export abstract class ModelAdapter {
  abstract readonly provider: string;
  abstract complete(request: ModelRequest): Promise<ModelResponse>;
}
