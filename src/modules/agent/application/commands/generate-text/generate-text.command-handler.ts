import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '@cognition/config/app-config';
import { GenerateTextCommand } from '@cognition/agent/contracts';
import { ModelMessage, ModelProvider } from '@cognition/agent/domain/model-provider.port';

/** A single model call for another module (no agent, no budget, no tools). */
@CommandHandler(GenerateTextCommand)
export class GenerateTextCommandHandler implements ICommandHandler<GenerateTextCommand> {
  constructor(
    private readonly models: ModelProvider,
    private readonly config: AppConfig,
  ) {}

  async execute({ request }: GenerateTextCommand): Promise<{ text: string; model: string; usage: { inputTokens: number; outputTokens: number } }> {
    const messages: ModelMessage[] = [...(request.system ? [{ role: 'system' as const, content: request.system }] : []), { role: 'user', content: request.prompt }];
    const response = await this.models.complete({
      provider: request.provider ?? this.config.get('MODEL_PROVIDER'),
      model: request.model,
      messages,
      maxTokens: request.maxTokens,
    });
    return { text: response.content ?? '', model: response.model, usage: response.usage };
  }
}
