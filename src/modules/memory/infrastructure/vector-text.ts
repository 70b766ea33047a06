/** pgvector's text format: `[1,2.5,-0.25]` (what `::vector` parses and `embedding::text` prints). */
export function toVectorText(vector: readonly number[]): string {
  return `[${vector.join(',')}]`;
}

/** Parses pgvector's text output (a JSON-compatible array of numbers). */
export function fromVectorText(text: string | null): number[] | null {
  return text === null ? null : (JSON.parse(text) as number[]);
}
