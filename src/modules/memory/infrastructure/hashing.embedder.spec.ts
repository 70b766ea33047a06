import { HashingEmbedder } from './hashing.embedder';

const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const norm = (v: number[]) => Math.hypot(...v);

describe('HashingEmbedder (offline, lexical feature hashing)', () => {
  const embedder = new HashingEmbedder('hashing-384', 384);

  it('names its model and dimensions and makes one vector per text, in order', async () => {
    const result = await embedder.embed(['one', 'two', 'three']);
    expect(result.model).toBe('hashing-384');
    expect(result.dimensions).toBe(384);
    expect(result.vectors).toHaveLength(3);
    expect(result.vectors.every((v) => v.length === 384)).toBe(true);
    expect(result.vectors[1]).toEqual(embedder.vector('two'));
    expect(new HashingEmbedder('h-64', 64).vector('hello world')).toHaveLength(64);
  });

  it('is deterministic, across instances too', () => {
    const text = 'The deployment failed because the Kubernetes cluster ran out of memory';
    expect(embedder.vector(text)).toEqual(embedder.vector(text));
    expect(new HashingEmbedder('other-name', 384).vector(text)).toEqual(embedder.vector(text));
  });

  it('makes unit vectors (L2 norm 1), also for empty-ish input', () => {
    for (const text of ['a', 'hello world', 'Ünïcödé façade — 日本語のテキスト', '!!!', '   ', '', 'x'.repeat(10_000)]) {
      const v = embedder.vector(text);
      expect(v.every(Number.isFinite)).toBe(true);
      expect(norm(v)).toBeCloseTo(1, 4);
    }
    expect(embedder.vector('')).toEqual(embedder.vector(''));
    expect(embedder.vector('!!!')).not.toEqual(embedder.vector('???'));
  });

  it('ignores case and punctuation', () => {
    expect(cosine(embedder.vector('Hello, World!'), embedder.vector('hello world'))).toBeCloseTo(1, 4);
  });

  it('scores texts that share words (and word parts) above unrelated ones', () => {
    const query = embedder.vector('customer prefers email contact');
    const similar = embedder.vector('the customer prefers to be contacted by email');
    const unrelated = embedder.vector('quarterly revenue grew in the european market');
    expect(cosine(query, similar)).toBeGreaterThan(0.4);
    expect(cosine(query, similar)).toBeGreaterThan(cosine(query, unrelated) + 0.3);
    // Character 3-grams: a word's inflection still matches.
    expect(cosine(embedder.vector('deployment'), embedder.vector('deploy'))).toBeGreaterThan(cosine(embedder.vector('deployment'), embedder.vector('invoice')));
  });

  it('is lexical, not semantic: synonyms with no shared letters score low', () => {
    expect(cosine(embedder.vector('car'), embedder.vector('automobile'))).toBeLessThan(0.3);
  });

  it('weights repeated words sublinearly', () => {
    const once = embedder.vector('alpha beta');
    const many = embedder.vector('alpha alpha alpha alpha alpha alpha alpha alpha beta');
    // Eight times the word counts 1 + ln 8 ≈ 3.1 times, not 8: beta still matters.
    expect(cosine(many, embedder.vector('beta'))).toBeGreaterThan(0.15);
    expect(cosine(once, many)).toBeGreaterThan(0.8);
  });
});
