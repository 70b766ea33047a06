/** pgvector's text format: `[1,2.5,-0.25]` (what `::vector` parses and `embedding::text` prints). */
export function toVectorText(vector: readonly number[]): string {
  return `[${vector.join(',')}]`;
}

/** Parses pgvector's text output (a JSON-compatible array of numbers). */
export function fromVectorText(text: string | null): number[] | null {
  return text === null ? null : (JSON.parse(text) as number[]);
}

/**
 * pgvector's binary format (what `vector_recv` reads): int16 dimensions, int16 0, then each
 * component as a big-endian float4. Sent as a Buffer, `pg` binds it in binary format: no number is
 * printed here or parsed by PostgreSQL (for 384 dimensions both cost more than the rest of a search
 * statement's parameters together). Components are rounded to float4, as `::vector` stores them.
 */
export function toVectorBinary(vector: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(4 + 4 * vector.length);
  out.writeInt16BE(vector.length, 0);
  out.writeInt16BE(0, 2);
  for (let i = 0; i < vector.length; i++) out.writeFloatBE(vector[i], 4 + 4 * i);
  return out;
}

/** The vector of a toVectorBinary buffer (tests, EXPLAIN of a prepared statement). */
export function fromVectorBinary(buffer: Buffer): number[] {
  const n = buffer.readInt16BE(0);
  return Array.from({ length: n }, (_, i) => buffer.readFloatBE(4 + 4 * i));
}
