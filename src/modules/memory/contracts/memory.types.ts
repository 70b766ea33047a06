export const MEMORY_TYPES = ['fact', 'pattern', 'preference', 'skill', 'experience', 'knowledge', 'episode'] as const;
export type MemoryType = (typeof MEMORY_TYPES)[number];

export const MEMORY_SCOPES = ['user', 'session', 'agent', 'global'] as const;
export type MemoryScope = (typeof MEMORY_SCOPES)[number];

export const MEMORY_STATUSES = ['active', 'compressed', 'archived', 'deleted'] as const;
export type MemoryStatus = (typeof MEMORY_STATUSES)[number];

/** In rank order (low = 1 … critical = 4): `minImportance` filters and policy thresholds compare ranks. */
export const MEMORY_IMPORTANCE = ['low', 'medium', 'high', 'critical'] as const;
export type MemoryImportance = (typeof MEMORY_IMPORTANCE)[number];

/** What a client sends for one memory. Without `embedding`, the configured embedding provider makes one. */
export interface NewMemory {
  content: string;
  memoryType?: MemoryType; // default 'fact'
  scope?: MemoryScope; // default 'global'
  namespace?: string; // ltree path of labels, default 'default'
  userId?: string | null;
  agentId?: string | null;
  sessionId?: string | null;
  importance?: MemoryImportance; // default 'medium'
  metadata?: Record<string, unknown>;
  tags?: string[];
  expiresAt?: string | null;
  /** A vector supplied by the client, with the name of the model that made it. */
  embedding?: number[] | null;
  embeddingModel?: string | null;
}

export interface MemoryView {
  id: string;
  content: string;
  memoryType: MemoryType;
  scope: MemoryScope;
  namespace: string;
  userId: string | null;
  agentId: string | null;
  sessionId: string | null;
  status: MemoryStatus;
  importance: MemoryImportance;
  metadata: Record<string, unknown>;
  tags: string[];
  embeddingModel: string | null;
  /** Only when asked for (`?includeEmbedding=true`): vectors are large. */
  embedding?: number[] | null;
  accessCount: number;
  lastAccessedAt: string | null;
  expiresAt: string | null;
  summaryOf: string[];
  createdAt: string;
  updatedAt: string;
  revision: number;
}

export interface MemoryFilters {
  /** Subtree: `acme.support` matches `acme.support` and everything below it. */
  namespace?: string;
  userId?: string;
  agentId?: string;
  sessionId?: string;
  scope?: MemoryScope;
  memoryType?: MemoryType[];
  tags?: { any?: string[]; all?: string[] };
  /** Equality on top-level metadata keys (JSONB containment). */
  metadata?: Record<string, unknown>;
  createdAfter?: string;
  createdBefore?: string;
  updatedAfter?: string;
  updatedBefore?: string;
  minImportance?: MemoryImportance;
  /** Default: active (and compressed) only; archived only when asked. Deleted and expired never. */
  includeArchived?: boolean;
}

export type SearchMode = 'vector' | 'text' | 'hybrid';

export interface RerankWeights {
  similarity: number;
  recency: number;
  accessFrequency: number;
  importance: number;
}

export interface MemorySearchRequest {
  query?: string;
  embedding?: number[];
  embeddingModel?: string;
  k?: number; // 1–100, default 10
  filters?: MemoryFilters;
  mode?: SearchMode; // default hybrid
  minScore?: number;
  /** Re-rank the candidates by relevance; `true` uses the default weights. */
  rerank?: boolean | Partial<RerankWeights>;
  /** HNSW `ef_search` for this query (1–1000; default MEMORY_EF_SEARCH, never below the candidates wanted). */
  efSearch?: number;
  /** Return each hit's vector too (default false: vectors are read and serialised only when asked for). */
  includeEmbedding?: boolean;
}

export interface MemorySearchHit {
  memory: MemoryView;
  score: number;
  scores: { vector?: number; text?: number; relevance?: number };
}

export interface MemorySearchResult {
  items: MemorySearchHit[];
  /** How the vector part ran: `index` (HNSW, iterative scan under filters) or `exact` (filter selective enough). */
  strategy?: { vector?: 'index' | 'exact' | 'none'; estimatedMatches?: number };
}

export interface MemoryCollectionView {
  id: string;
  name: string;
  description: string | null;
  memoryCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface MemoryPolicyInput {
  name: string;
  namespace: string;
  compressAfterDays?: number | null;
  archiveAfterDays?: number | null;
  deleteAfterDays?: number | null;
  /** Policies never touch memories of this importance or above. Default 'high'. */
  importanceThreshold?: MemoryImportance;
  maxMemories?: number | null;
  /** Default time to live of new memories in the subtree (sets expiresAt when none is given). */
  ttlDays?: number | null;
  enabled?: boolean;
}

export interface MemoryPolicyView extends Required<Omit<MemoryPolicyInput, 'importanceThreshold' | 'enabled'>> {
  id: string;
  importanceThreshold: MemoryImportance;
  enabled: boolean;
  lastAppliedAt: string | null;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

/** What applying a policy did (or, in a dry run, would do): the ids per action. */
export interface PolicyApplication {
  policyId: string;
  dryRun: boolean;
  compressed: { summaryId: string | null; memoryIds: string[] }[];
  archived: string[];
  deleted: string[];
  evicted: string[];
  expired: string[];
}
