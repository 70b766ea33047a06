import { GenerateTextCommand } from '@cognition/agent/contracts';
import { MemorySummarizer } from './memory-summarizer';

const sources = [
  { content: 'Likes tea.', importanceRank: 2, createdAt: new Date('2030-01-01') },
  { content: 'Likes tea!', importanceRank: 2, createdAt: new Date('2030-01-02') },
];

function summarizer(model: string, answer: () => Promise<{ text: string }>) {
  const sent: GenerateTextCommand[] = [];
  const commands = { execute: async (c: GenerateTextCommand) => (sent.push(c), answer()) };
  const config = { get: (key: string) => (key === 'MEMORY_SUMMARY_MODEL' ? model : undefined) };
  const s = new MemorySummarizer(commands as never, config as never);
  (s as unknown as { logger: { warn: () => void } }).logger = { warn: () => undefined };
  return { s, sent };
}

describe('MemorySummarizer', () => {
  it('is extractive without MEMORY_SUMMARY_MODEL, calling no model', async () => {
    const { s, sent } = summarizer('', async () => ({ text: 'never' }));
    expect(await s.summarize('t', sources)).toEqual({ content: 'Likes tea!', method: 'extractive' });
    expect(sent).toEqual([]);
  });

  it('asks the configured model through GenerateTextCommand', async () => {
    const { s, sent } = summarizer('gpt-x', async () => ({ text: '  The user likes tea.  ' }));
    expect(await s.summarize('t', sources)).toEqual({ content: 'The user likes tea.', method: 'model' });
    expect(sent[0]).toBeInstanceOf(GenerateTextCommand);
    expect(sent[0].request).toMatchObject({ model: 'gpt-x', prompt: 'Merge these memories:\n- Likes tea!\n- Likes tea.' });
  });

  it('falls back to the extractive summary when the model fails or answers nothing', async () => {
    expect(await summarizer('gpt-x', async () => Promise.reject(new Error('503'))).s.summarize('t', sources)).toEqual({ content: 'Likes tea!', method: 'extractive' });
    expect(await summarizer('gpt-x', async () => ({ text: ' ' })).s.summarize('t', sources)).toEqual({ content: 'Likes tea!', method: 'extractive' });
  });
});
