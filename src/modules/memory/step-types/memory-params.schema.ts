import { MEMORY_IMPORTANCE, MEMORY_SCOPES, MEMORY_TYPES } from '../contracts';

/*
 * Params schemas of `memory_store` and `memory_search`: the bodies of POST /memories and
 * POST /memories/search (SPEC section 6), checked when a workflow definition is created.
 */

const NAMESPACE = '^[A-Za-z0-9_]{1,255}(\\.[A-Za-z0-9_]{1,255})*$';
const optionalId = { anyOf: [{ type: 'string', minLength: 1, maxLength: 255 }, { enum: [null] }] };
const vector = { type: 'array', minItems: 1, maxItems: 16_000, items: { type: 'number' } };
const optionalTime = { anyOf: [{ type: 'string', format: 'date-time' }, { enum: [null] }] };

/** The fields of a memory besides its content (and the defaults of every item of a batch). */
const MEMORY_FIELDS = {
  namespace: { type: 'string', pattern: NAMESPACE, description: 'e.g. acme.support.agent42' },
  memoryType: { type: 'string', enum: [...MEMORY_TYPES] },
  scope: { type: 'string', enum: [...MEMORY_SCOPES] },
  userId: optionalId,
  agentId: optionalId,
  sessionId: optionalId,
  importance: { type: 'string', enum: [...MEMORY_IMPORTANCE] },
  tags: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1 } },
  metadata: { type: 'object', additionalProperties: true },
  expiresAt: optionalTime,
};

const CONTENT = { type: 'string', minLength: 1, maxLength: 100_000 };
const EMBEDDING = { embedding: { anyOf: [vector, { enum: [null] }] }, embeddingModel: { anyOf: [{ type: 'string', minLength: 1 }, { enum: [null] }] } };

/** `content` for one memory or `items` (1–1,000) for a batch; the other fields as in POST /memories. */
export const MEMORY_STORE_PARAMS = {
  type: 'object',
  properties: {
    content: CONTENT,
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: { type: 'object', required: ['content'], properties: { content: CONTENT, ...EMBEDDING, ...MEMORY_FIELDS }, additionalProperties: false },
    },
    ...EMBEDDING,
    ...MEMORY_FIELDS,
  },
  oneOf: [{ required: ['content'] }, { required: ['items'] }],
  additionalProperties: false,
};

const isoTime = { type: 'string', format: 'date-time' };
const weight = { type: 'number', minimum: 0 };

/** `query` or `embedding`, and the other fields of POST /memories/search. */
export const MEMORY_SEARCH_PARAMS = {
  type: 'object',
  properties: {
    query: { type: 'string', minLength: 1, maxLength: 10_000 },
    embedding: vector,
    embeddingModel: { type: 'string', minLength: 1, maxLength: 200 },
    k: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
    filters: {
      type: 'object',
      properties: {
        namespace: { type: 'string', pattern: NAMESPACE, description: 'This namespace and everything below it' },
        userId: { type: 'string', minLength: 1, maxLength: 255 },
        agentId: { type: 'string', minLength: 1, maxLength: 255 },
        sessionId: { type: 'string', minLength: 1, maxLength: 255 },
        scope: { type: 'string', enum: [...MEMORY_SCOPES] },
        memoryType: { type: 'array', items: { type: 'string', enum: [...MEMORY_TYPES] } },
        tags: {
          type: 'object',
          properties: { any: { type: 'array', items: { type: 'string', minLength: 1 } }, all: { type: 'array', items: { type: 'string', minLength: 1 } } },
          additionalProperties: false,
        },
        metadata: { type: 'object', additionalProperties: true },
        createdAfter: isoTime,
        createdBefore: isoTime,
        updatedAfter: isoTime,
        updatedBefore: isoTime,
        minImportance: { type: 'string', enum: [...MEMORY_IMPORTANCE] },
        includeArchived: { type: 'boolean' },
      },
      additionalProperties: false,
    },
    mode: { type: 'string', enum: ['vector', 'text', 'hybrid'], default: 'hybrid' },
    minScore: { type: 'number' },
    rerank: {
      anyOf: [
        { type: 'boolean' },
        { type: 'object', properties: { similarity: weight, recency: weight, accessFrequency: weight, importance: weight }, additionalProperties: false },
      ],
    },
    efSearch: { type: 'integer', minimum: 1, maximum: 1000 },
  },
  anyOf: [{ required: ['query'] }, { required: ['embedding'] }],
  additionalProperties: false,
};
