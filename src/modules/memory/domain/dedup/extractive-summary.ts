/**
 * The extractive summary of a group of memories (framework-free): their distinct sentences, most
 * important and most recent memory first, near-identical sentences dropped, capped in length.
 * No model, no invention: every sentence of the summary is a sentence of a member.
 */
export const MAX_SUMMARY_CHARS = 2000;
/** Two sentences whose word sets overlap this much (Jaccard) say the same thing. */
const SAME_SENTENCE = 0.8;

export interface SummarySource {
  content: string;
  importanceRank: number;
  createdAt: Date;
}

/** Most important first, then most recent. */
export function summaryOrder(a: SummarySource, b: SummarySource): number {
  return b.importanceRank - a.importanceRank || b.createdAt.getTime() - a.createdAt.getTime();
}

export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+|\n+/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

function wordsOf(sentence: string): Set<string> {
  return new Set(sentence.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 1 : shared / union;
}

export function extractiveSummary(sources: SummarySource[], maxChars = MAX_SUMMARY_CHARS): string {
  const kept: { text: string; words: Set<string> }[] = [];
  let length = 0;
  for (const source of [...sources].sort(summaryOrder)) {
    for (const sentence of sentencesOf(source.content)) {
      const words = wordsOf(sentence);
      if (kept.some((k) => jaccard(k.words, words) >= SAME_SENTENCE)) continue;
      const text = /[.!?…]$/.test(sentence) ? sentence : `${sentence}.`;
      const added = (kept.length ? 1 : 0) + text.length;
      if (length + added > maxChars) {
        if (kept.length === 0) return `${text.slice(0, maxChars - 1).trimEnd()}…`;
        return kept.map((k) => k.text).join(' ');
      }
      kept.push({ text, words });
      length += added;
    }
  }
  return kept.map((k) => k.text).join(' ');
}

/** The model's instructions for an abstractive summary (used when MEMORY_SUMMARY_MODEL is set). */
export function summaryPrompt(sources: SummarySource[]): { system: string; prompt: string } {
  return {
    system:
      'You merge related memory entries of an AI agent into one concise memory. Keep every distinct fact, ' +
      'prefer the more recent entry when two disagree, invent nothing, and answer with the merged memory only.',
    prompt: `Merge these memories:\n${[...sources].sort(summaryOrder).map((s) => `- ${s.content.replace(/\s+/g, ' ').trim()}`).join('\n')}`,
  };
}
