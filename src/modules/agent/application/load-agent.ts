import { DomainError } from '@cognition/platform/domain';
import { decodeCursor } from '@cognition/platform/pagination/cursor';
import { isUuid } from '@cognition/platform/ids/uuid';
import type { AgentDefinition } from '../domain/agent-definition.aggregate';
import type { AgentDefinitionRepository } from '../domain/agent-definition.repository.port';
import type { Agent } from '../domain/agent.aggregate';
import type { AgentRepository } from '../domain/agent.repository.port';

/** Loads an agent or fails with AGENT_NOT_FOUND (another tenant's agent and a malformed id are not found either). */
export async function loadAgent(repo: AgentRepository, tenantId: string, agentId: string, lock = false): Promise<Agent> {
  const agent = await repo.findById(tenantId, agentId, lock);
  if (!agent) throw new DomainError('AGENT_NOT_FOUND', `Agent ${agentId} not found`);
  return agent;
}

/** Loads a definition or fails with AGENT_DEFINITION_NOT_FOUND. */
export async function loadDefinition(repo: AgentDefinitionRepository, tenantId: string, id: string, lock?: 'share' | 'update'): Promise<AgentDefinition> {
  const definition = await repo.findById(tenantId, id, lock);
  if (!definition) throw new DomainError('AGENT_DEFINITION_NOT_FOUND', `Agent definition ${id} not found`);
  return definition;
}

/** The id after which a page starts, from an opaque cursor (400 when it is not one of ours). */
export function afterIdOf(cursor: string | undefined): string | undefined {
  const after = decodeCursor<{ id: string }>(cursor, ['id']);
  if (after && !isUuid(after.id)) throw new DomainError('BAD_REQUEST', 'The cursor is not valid; use the nextCursor of a previous page', [{ path: 'cursor', message: 'invalid cursor' }]);
  return after?.id;
}
