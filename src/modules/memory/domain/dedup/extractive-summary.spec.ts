import { extractiveSummary, sentencesOf, summaryPrompt } from './extractive-summary';

const at = (iso: string) => new Date(iso);

describe('extractive summary', () => {
  it('splits sentences and lines, ignoring empty ones', () => {
    expect(sentencesOf('Likes tea. Hates coffee!\nLives in Paris  \n\n ... ')).toEqual(['Likes tea.', 'Hates coffee!', 'Lives in Paris']);
  });

  it('keeps the distinct sentences, most important then most recent memory first, near-identical ones once', () => {
    const summary = extractiveSummary([
      { content: 'The user prefers tea. The user lives in Paris.', importanceRank: 2, createdAt: at('2030-01-01') },
      { content: 'the user prefers  tea! The user has a cat', importanceRank: 2, createdAt: at('2030-02-01') },
      { content: 'The user is allergic to peanuts.', importanceRank: 3, createdAt: at('2029-01-01') },
    ]);
    expect(summary).toBe('The user is allergic to peanuts. the user prefers tea! The user has a cat. The user lives in Paris.');
  });

  it('caps the length at whole sentences, cutting only a first sentence that alone is too long', () => {
    const sources = [{ content: 'One two three. Four five six. Seven eight nine.', importanceRank: 1, createdAt: at('2030-01-01') }];
    expect(extractiveSummary(sources, 30)).toBe('One two three. Four five six.');
    expect(extractiveSummary([{ content: 'x'.repeat(50), importanceRank: 1, createdAt: at('2030-01-01') }], 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('builds a model prompt listing every memory', () => {
    const { system, prompt } = summaryPrompt([{ content: 'a\nb', importanceRank: 1, createdAt: at('2030-01-01') }, { content: 'c', importanceRank: 2, createdAt: at('2030-01-01') }]);
    expect(system).toMatch(/invent nothing/);
    expect(prompt).toBe('Merge these memories:\n- c\n- a b');
  });
});
