import type { MemoryImportance, MemoryScope, MemoryType } from '../contracts/memory.types';
import { describe } from '@cognition/platform/json-schema/json-values';
import {
  readContent,
  readEmbedding,
  readExpiresAt,
  readImportance,
  readMemoryType,
  readMetadata,
  readNamespace,
  readOptionalId,
  readScope,
  readTags,
  type SuppliedEmbedding,
} from './memory-fields';
import { DEFAULT_NAMESPACE } from './memory-namespace.value-object';
import { type MemoryProblems, pathOf } from './memory-problems';

/** A new memory's fields after validation, defaults applied (the embedding is settled later). */
export interface ValidNewMemory {
  content: string;
  memoryType: MemoryType;
  scope: MemoryScope;
  namespace: string;
  userId: string | null;
  agentId: string | null;
  sessionId: string | null;
  importance: MemoryImportance;
  metadata: Record<string, unknown>;
  tags: string[];
  /** null: none given (a lifecycle policy's TTL may supply one). */
  expiresAt: Date | null;
  /** A vector the client supplied with its model name; null: the provider makes one. */
  embedding: SuppliedEmbedding | null;
}

/** A patch after validation: only the fields that were sent. */
export interface ValidMemoryPatch {
  content?: string;
  importance?: MemoryImportance;
  metadata?: Record<string, unknown>;
  tags?: string[];
  expiresAt?: Date | null;
  namespace?: string;
  status?: 'active' | 'archived';
  embedding?: SuppliedEmbedding;
}

const NEW_MEMORY_FIELDS = new Set(['content', 'memoryType', 'scope', 'namespace', 'userId', 'agentId', 'sessionId', 'importance', 'metadata', 'tags', 'expiresAt', 'embedding', 'embeddingModel']);
const PATCH_FIELDS = new Set(['content', 'importance', 'metadata', 'tags', 'expiresAt', 'namespace', 'status', 'embedding', 'embeddingModel']);
const SCOPE_OWNER: Partial<Record<MemoryScope, 'userId' | 'agentId' | 'sessionId'>> = { user: 'userId', agent: 'agentId', session: 'sessionId' };

/**
 * Checks one new memory and applies the defaults (type fact, scope global, namespace default,
 * importance medium). Problems are reported under `prefix` (e.g. `items[3]`); undefined if any.
 */
export function validateNewMemory(input: unknown, prefix: string, problems: MemoryProblems): ValidNewMemory | undefined {
  const before = problems.size;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problems.add(prefix, 'INVALID_TYPE', `must be an object, got ${describe(input)}`);
    return undefined;
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!NEW_MEMORY_FIELDS.has(key) && raw[key] !== undefined) problems.add(pathOf(prefix, key), 'INVALID_FORMAT', 'is not a field of a memory');
  const at = (field: string) => pathOf(prefix, field);
  const content = readContent(raw.content, at('content'), problems);
  const memoryType = raw.memoryType === undefined ? 'fact' : readMemoryType(raw.memoryType, at('memoryType'), problems);
  const scope = raw.scope === undefined ? 'global' : readScope(raw.scope, at('scope'), problems);
  const namespace = raw.namespace === undefined ? DEFAULT_NAMESPACE : readNamespace(raw.namespace, at('namespace'), problems);
  const userId = readOptionalId(raw.userId, at('userId'), problems);
  const agentId = readOptionalId(raw.agentId, at('agentId'), problems);
  const sessionId = readOptionalId(raw.sessionId, at('sessionId'), problems);
  const owner = scope ? SCOPE_OWNER[scope] : undefined;
  if (owner && (raw[owner] === undefined || raw[owner] === null)) problems.add(at(owner), 'REQUIRED', `is required when scope is ${scope}`);
  const importance = raw.importance === undefined ? 'medium' : readImportance(raw.importance, at('importance'), problems);
  const metadata = raw.metadata === undefined || raw.metadata === null ? {} : readMetadata(raw.metadata, at('metadata'), problems);
  const tags = raw.tags === undefined || raw.tags === null ? [] : readTags(raw.tags, at('tags'), problems);
  const expiresAt = readExpiresAt(raw.expiresAt, at('expiresAt'), problems);
  const embedding = readEmbedding(raw.embedding, raw.embeddingModel, prefix, problems);
  if (problems.size > before) return undefined;
  return {
    content: content!,
    memoryType: memoryType!,
    scope: scope!,
    namespace: namespace!,
    userId: userId!,
    agentId: agentId!,
    sessionId: sessionId!,
    importance: importance!,
    metadata: metadata!,
    tags: tags!,
    expiresAt: expiresAt!,
    embedding: embedding!,
  };
}

/** Checks a patch (only the fields sent); undefined when it has problems. */
export function validateMemoryPatch(input: unknown, problems: MemoryProblems): ValidMemoryPatch | undefined {
  const before = problems.size;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problems.add('', 'INVALID_TYPE', `the patch must be an object, got ${describe(input)}`);
    return undefined;
  }
  const raw = input as Record<string, unknown>;
  const sent = (key: string) => raw[key] !== undefined;
  for (const key of Object.keys(raw)) if (!PATCH_FIELDS.has(key) && sent(key)) problems.add(key, 'INVALID_FORMAT', 'cannot be changed');
  const patch: ValidMemoryPatch = {};
  if (sent('content')) patch.content = readContent(raw.content, 'content', problems);
  if (sent('importance')) patch.importance = readImportance(raw.importance, 'importance', problems);
  if (sent('metadata')) patch.metadata = raw.metadata === null ? {} : readMetadata(raw.metadata, 'metadata', problems);
  if (sent('tags')) patch.tags = raw.tags === null ? [] : readTags(raw.tags, 'tags', problems);
  if (sent('expiresAt')) patch.expiresAt = readExpiresAt(raw.expiresAt, 'expiresAt', problems);
  if (sent('namespace')) patch.namespace = readNamespace(raw.namespace, 'namespace', problems);
  if (sent('status')) {
    if (raw.status === 'active' || raw.status === 'archived') patch.status = raw.status;
    else problems.add('status', 'INVALID_FORMAT', `must be active or archived, got ${JSON.stringify(raw.status)} (delete with DELETE; compression is done by policies)`);
  }
  const embedding = readEmbedding(raw.embedding, raw.embeddingModel, '', problems);
  if (embedding) patch.embedding = embedding;
  return problems.size > before ? undefined : patch;
}
