import { EmbeddingProvider, type Embeddings } from '../domain/embedding-provider.port';

const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.5;
const WORD_SEED = 0x811c9dc5; // FNV-1a offset basis
const TRIGRAM_SEED = 0x01000193 ^ 0x5bd1e995;
const BOUNDARY = 0x1f; // marks the start and end of a word in its trigrams
const TOKEN = /[\p{L}\p{N}]+/gu;

/**
 * The offline default embedder: deterministic feature hashing, no model, no network.
 *
 * It is LEXICAL, NOT SEMANTIC: texts that share words (or parts of words: "deploy", "deployment")
 * score high; synonyms and paraphrases with other words ("car" / "automobile") do not. Use an
 * OpenAI-compatible provider (EMBEDDING_PROVIDER=openai) for semantic search.
 *
 * Features of a text: each lowercased word (letters and digits) and each character 3-gram of each
 * word with boundary markers (`^deploy$` → `^de`, `dep`, …, `oy$`). Each feature is hashed with
 * 32-bit FNV-1a to an index in [0, dims) and a sign (a bit of a second, mixed hash), weighted
 * 1 + ln(count) (sublinear term frequency; words 1, 3-grams 0.5), summed, then L2-normalised and
 * rounded to 6 decimals (pgvector stores float4). A text without letters or digits is hashed as a
 * whole, so every vector has unit norm.
 */
export class HashingEmbedder extends EmbeddingProvider {
  constructor(
    private readonly modelName: string,
    private readonly dims: number,
  ) {
    super();
  }

  get model(): string {
    return this.modelName;
  }

  get dimensions(): number {
    return this.dims;
  }

  embed(texts: string[]): Promise<Embeddings> {
    return Promise.resolve({ model: this.modelName, dimensions: this.dims, vectors: texts.map((text) => this.vector(text)) });
  }

  /** The vector of one text (synchronous; the work of `embed`). */
  vector(text: string): number[] {
    const words = new Map<number, number>();
    const grams = new Map<number, number>();
    const lower = text.toLowerCase();
    let found = false;
    for (const match of lower.matchAll(TOKEN)) {
      found = true;
      addFeatures(match[0], words, grams);
    }
    if (!found) addFeatures(lower.trim(), words, grams);
    const v = new Float64Array(this.dims);
    this.accumulate(words, WORD_WEIGHT, v);
    this.accumulate(grams, TRIGRAM_WEIGHT, v);
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    const out = new Array<number>(this.dims);
    // Two features can cancel out exactly; fall back to a fixed unit vector then.
    if (norm === 0) {
      out.fill(0);
      out[0] = 1;
      return out;
    }
    for (let i = 0; i < v.length; i++) out[i] = Math.round((v[i] / norm) * 1e6) / 1e6 || 0;
    return out;
  }

  private accumulate(features: Map<number, number>, weight: number, v: Float64Array): void {
    for (const [hash, count] of features) {
      const w = weight * (1 + Math.log(count));
      v[hash % this.dims] += mix(hash) & 1 ? -w : w;
    }
  }
}

function addFeatures(word: string, words: Map<number, number>, grams: Map<number, number>): void {
  let h = WORD_SEED;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  h >>>= 0;
  words.set(h, (words.get(h) ?? 0) + 1);
  // 3-grams of BOUNDARY + word + BOUNDARY (a 1-letter word has exactly one).
  const n = word.length + 2;
  for (let i = 0; i + 3 <= n; i++) {
    let g = TRIGRAM_SEED;
    for (let j = i; j < i + 3; j++) g = Math.imul(g ^ codeAt(word, j - 1), 0x01000193);
    g >>>= 0;
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
}

function codeAt(word: string, i: number): number {
  return i < 0 || i >= word.length ? BOUNDARY : word.charCodeAt(i);
}

/** murmur3's 32-bit finaliser: an independent-looking bit for the sign. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
