import { GenerateTextCommand } from '@cognition/agent/contracts';
import { ModelProvider, ModelRequest } from '@cognition/agent/domain/model-provider.port';
import { GenerateTextCommandHandler } from './generate-text.command-handler';

describe('GenerateTextCommandHandler', () => {
  it('calls the configured provider with the system and user messages and returns the text', async () => {
    const requests: ModelRequest[] = [];
    const models: ModelProvider = {
      complete: async (request: ModelRequest) => {
        requests.push(request);
        return { content: 'merged', toolCalls: [], usage: { inputTokens: 3, outputTokens: 1 }, finishReason: 'stop', model: 'm-1' };
      },
    };
    const config = { get: (key: string) => (key === 'MODEL_PROVIDER' ? 'echo' : undefined) };
    const handler = new GenerateTextCommandHandler(models, config as never);
    const result = await handler.execute(new GenerateTextCommand('t', { system: 'be brief', prompt: 'merge a and b', model: 'm', maxTokens: 50 }));
    expect(result).toEqual({ text: 'merged', model: 'm-1', usage: { inputTokens: 3, outputTokens: 1 } });
    expect(requests).toEqual([{ provider: 'echo', model: 'm', maxTokens: 50, messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'merge a and b' }] }]);
  });
});
