import type { components } from '@client';

export type Memory = components['schemas']['MemoryResponseDto'];
export type MemoryType = Memory['memoryType'];
export type MemoryScope = Memory['scope'];
export type Importance = Memory['importance'];
export type SearchRequest = components['schemas']['MemorySearchRequestDto'];
export type SearchResponse = components['schemas']['MemorySearchResponseDto'];
export type SearchHit = components['schemas']['MemorySearchHitResponseDto'];
export type Collection = components['schemas']['MemoryCollectionResponseDto'];

export const MEMORY_TYPES: MemoryType[] = ['fact', 'pattern', 'preference', 'skill', 'experience', 'knowledge', 'episode'];
export const SCOPES: MemoryScope[] = ['user', 'session', 'agent', 'global'];
export const IMPORTANCES: Importance[] = ['low', 'medium', 'high', 'critical'];
/** The statuses GET /memories can list (deleted ones never are). */
export const LIST_STATUSES = ['active', 'compressed', 'archived'] as const;

/** A content cut to `max` characters for a table cell. */
export function excerpt(text: string, max = 140): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
