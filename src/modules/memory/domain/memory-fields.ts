import { isPlainObject } from '@cognition/platform/expressions';
import { describe, isJsonValue } from '@cognition/platform/json-schema/json-values';
import { MEMORY_IMPORTANCE, MEMORY_SCOPES, MEMORY_TYPES, type MemoryImportance, type MemoryScope, type MemoryType } from '../contracts/memory.types';
import { MemoryNamespace } from './memory-namespace.value-object';
import { type MemoryProblems, pathOf } from './memory-problems';

/**
 * Readers of single memory fields: each reports its problems (path, code, message) and returns
 * undefined when the value is invalid. Used for new memories and for patches.
 */
export const MAX_CONTENT_LENGTH = 100_000;
export const MAX_TAGS = 100;
export const MAX_TAG_LENGTH = 255;
export const MAX_ID_LENGTH = 255;
export const MAX_MODEL_NAME_LENGTH = 200;
export const MAX_EMBEDDING_DIMENSIONS = 16_000;

export function readContent(value: unknown, path: string, problems: MemoryProblems): string | undefined {
  if (value === undefined || value === null) return void problems.add(path, 'REQUIRED', 'is required');
  if (typeof value !== 'string') return void problems.add(path, 'INVALID_TYPE', `must be a string, got ${describe(value)}`);
  if (value.trim() === '') return void problems.add(path, 'REQUIRED', 'must not be empty');
  if (value.length > MAX_CONTENT_LENGTH) return void problems.add(path, 'OUT_OF_RANGE', `must have at most ${MAX_CONTENT_LENGTH} characters, got ${value.length}`);
  return value;
}

function readEnum<T extends string>(values: readonly T[], value: unknown, path: string, problems: MemoryProblems): T | undefined {
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  problems.add(path, typeof value === 'string' ? 'INVALID_FORMAT' : 'INVALID_TYPE', `must be one of ${values.join(', ')}, got ${typeof value === 'string' ? JSON.stringify(value) : describe(value)}`);
  return undefined;
}

export const readMemoryType = (v: unknown, path: string, p: MemoryProblems): MemoryType | undefined => readEnum(MEMORY_TYPES, v, path, p);
export const readScope = (v: unknown, path: string, p: MemoryProblems): MemoryScope | undefined => readEnum(MEMORY_SCOPES, v, path, p);
export const readImportance = (v: unknown, path: string, p: MemoryProblems): MemoryImportance | undefined => readEnum(MEMORY_IMPORTANCE, v, path, p);

/** An optional id-like string (userId, agentId, sessionId): absent/null → null. */
export function readOptionalId(value: unknown, path: string, problems: MemoryProblems): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return void problems.add(path, 'INVALID_TYPE', `must be a string, got ${describe(value)}`);
  if (value.trim() === '') return void problems.add(path, 'REQUIRED', 'must not be empty (leave it out instead)');
  if (value.length > MAX_ID_LENGTH) return void problems.add(path, 'OUT_OF_RANGE', `must have at most ${MAX_ID_LENGTH} characters`);
  return value;
}

export function readNamespace(value: unknown, path: string, problems: MemoryProblems): string | undefined {
  if (typeof value !== 'string') return void problems.add(path, 'INVALID_TYPE', `must be a string, got ${describe(value)}`);
  const problem = MemoryNamespace.problem(value);
  if (problem) return void problems.add(path, 'INVALID_FORMAT', problem);
  return value;
}

export function readMetadata(value: unknown, path: string, problems: MemoryProblems): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) return void problems.add(path, 'INVALID_TYPE', `must be a JSON object, got ${describe(value)}`);
  if (!isJsonValue(value)) return void problems.add(path, 'INVALID_TYPE', 'must contain only JSON values (at most 64 levels deep)');
  return structuredClone(value);
}

export function readTags(value: unknown, path: string, problems: MemoryProblems): string[] | undefined {
  if (!Array.isArray(value)) return void problems.add(path, 'INVALID_TYPE', `must be an array of strings, got ${describe(value)}`);
  if (value.length > MAX_TAGS) return void problems.add(path, 'OUT_OF_RANGE', `must have at most ${MAX_TAGS} tags, got ${value.length}`);
  const before = problems.size;
  const seen = new Set<string>();
  value.forEach((tag, i) => {
    const at = `${path}[${i}]`;
    if (typeof tag !== 'string') problems.add(at, 'INVALID_TYPE', `must be a string, got ${describe(tag)}`);
    else if (tag.trim() === '') problems.add(at, 'REQUIRED', 'must not be empty');
    else if (tag.length > MAX_TAG_LENGTH) problems.add(at, 'OUT_OF_RANGE', `must have at most ${MAX_TAG_LENGTH} characters`);
    else if (seen.has(tag)) problems.add(at, 'DUPLICATE', `${JSON.stringify(tag)} is listed twice`);
    else seen.add(tag);
  });
  return problems.size === before ? [...seen] : undefined;
}

/** An ISO date-time or null (no expiry); returns null for absent. */
export function readExpiresAt(value: unknown, path: string, problems: MemoryProblems): Date | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return void problems.add(path, 'INVALID_TYPE', `must be an ISO 8601 date-time string, got ${describe(value)}`);
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time)) return void problems.add(path, 'INVALID_FORMAT', `must be an ISO 8601 date-time, e.g. 2030-01-31T12:00:00Z, got ${JSON.stringify(value)}`);
  return new Date(time);
}

export interface SuppliedEmbedding {
  vector: number[];
  model: string;
}

/**
 * A client-supplied vector and its model name: both or neither. A vector without a model is
 * EMBEDDING_MODEL_REQUIRED; a model without a vector is refused (the provider's model is configured).
 */
export function readEmbedding(vector: unknown, model: unknown, prefix: string, problems: MemoryProblems): SuppliedEmbedding | null | undefined {
  const vectorPath = pathOf(prefix, 'embedding');
  const modelPath = pathOf(prefix, 'embeddingModel');
  if (vector === undefined || vector === null) {
    if (model === undefined || model === null) return null;
    return void problems.add(modelPath, 'INVALID_FORMAT', 'names the model of a supplied embedding: send it with embedding, or leave both out to use the configured provider');
  }
  const before = problems.size;
  if (model === undefined || model === null || model === '') {
    problems.add(modelPath, 'EMBEDDING_MODEL_REQUIRED', 'is required with an embedding: the name of the model that made the vector');
  } else if (typeof model !== 'string') {
    problems.add(modelPath, 'INVALID_TYPE', `must be a string, got ${describe(model)}`);
  } else if (model.length > MAX_MODEL_NAME_LENGTH || hasControlCharacter(model)) {
    problems.add(modelPath, 'INVALID_FORMAT', `must be 1–${MAX_MODEL_NAME_LENGTH} printable characters`);
  }
  if (!Array.isArray(vector)) {
    problems.add(vectorPath, 'INVALID_TYPE', `must be an array of numbers, got ${describe(vector)}`);
  } else if (vector.length === 0 || vector.length > MAX_EMBEDDING_DIMENSIONS) {
    problems.add(vectorPath, 'OUT_OF_RANGE', `must have 1–${MAX_EMBEDDING_DIMENSIONS} dimensions, got ${vector.length}`);
  } else {
    const bad = vector.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (bad >= 0) problems.add(`${vectorPath}[${bad}]`, 'INVALID_TYPE', `must be a finite number, got ${typeof vector[bad] === 'number' ? String(vector[bad]) : describe(vector[bad])}`);
    else if (vector.every((x) => x === 0)) problems.add(vectorPath, 'OUT_OF_RANGE', 'must not be all zeros (its cosine distance to anything is undefined)');
  }
  return problems.size === before ? { vector: vector as number[], model: model as string } : undefined;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
