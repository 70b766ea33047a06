import { MEMORY_IMPORTANCE, MemoryFilters, MemoryImportance } from '../contracts';

/** A WHERE clause over `memories` (alias `m`) and its parameters, numbered from `first`. */
export interface SqlFilter {
  where: string;
  params: unknown[];
}

export function importanceRank(importance: MemoryImportance): number {
  return MEMORY_IMPORTANCE.indexOf(importance) + 1;
}

/**
 * The filters of SPEC section 6 as SQL, shared by list, search and policies. Always: the tenant,
 * never deleted, never expired; archived only when asked. `params` continue after `first - 1`
 * parameters the caller already has.
 */
export function memoryFilterSql(tenantId: string, filters: MemoryFilters = {}, first = 1): SqlFilter {
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  const where = [`m.tenant_id = ${p(tenantId)}`, `(m.expires_at IS NULL OR m.expires_at > now())`];
  where.push(filters.includeArchived ? `m.status IN ('active', 'compressed', 'archived')` : `m.status IN ('active', 'compressed')`);
  if (filters.namespace) where.push(`m.namespace <@ ${p(filters.namespace)}::ltree`);
  if (filters.userId) where.push(`m.user_id = ${p(filters.userId)}`);
  if (filters.agentId) where.push(`m.agent_id = ${p(filters.agentId)}`);
  if (filters.sessionId) where.push(`m.session_id = ${p(filters.sessionId)}`);
  if (filters.scope) where.push(`m.scope = ${p(filters.scope)}`);
  if (filters.memoryType?.length) where.push(`m.memory_type = ANY(${p(filters.memoryType)}::text[])`);
  if (filters.tags?.any?.length) where.push(`m.tags && ${p(filters.tags.any)}::text[]`);
  if (filters.tags?.all?.length) where.push(`m.tags @> ${p(filters.tags.all)}::text[]`);
  if (filters.metadata && Object.keys(filters.metadata).length) where.push(`m.metadata @> ${p(JSON.stringify(filters.metadata))}::jsonb`);
  if (filters.createdAfter) where.push(`m.created_at >= ${p(filters.createdAfter)}::timestamptz`);
  if (filters.createdBefore) where.push(`m.created_at < ${p(filters.createdBefore)}::timestamptz`);
  if (filters.updatedAfter) where.push(`m.updated_at >= ${p(filters.updatedAfter)}::timestamptz`);
  if (filters.updatedBefore) where.push(`m.updated_at < ${p(filters.updatedBefore)}::timestamptz`);
  if (filters.minImportance) where.push(`m.importance_rank >= ${p(importanceRank(filters.minImportance))}`);
  return { where: where.join(' AND '), params };
}
