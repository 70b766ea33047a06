import type { AgentDefinitionInput, AgentStatus } from '@cognition/agent/contracts/agent.types';
import { AgentDefinition } from '@cognition/agent/domain/agent-definition.aggregate';
import { Agent } from '@cognition/agent/domain/agent.aggregate';
import { ToolCatalog, type ToolInfo } from '@cognition/agent/domain/tool-catalog.port';
import { DomainError } from '@cognition/platform/domain';

/** Shared fixtures of the agent module's unit tests. */
export const TENANT = '00000000-0000-7000-8000-0000000000a1';
export const OTHER_TENANT = '00000000-0000-7000-8000-0000000000a2';
export const TASK = '00000000-0000-7000-8000-000000007a51';
export const RUN = '00000000-0000-7000-8000-0000000000f1';
export const RUN_2 = '00000000-0000-7000-8000-0000000000f2';
export const t0 = new Date('2025-01-01T00:00:00Z');
export const t1 = new Date('2025-01-01T00:01:00Z');

/** A catalog with the named tools (no handlers: the domain only checks names and permissions). */
export class StaticToolCatalog extends ToolCatalog {
  private readonly tools: Map<string, ToolInfo>;

  constructor(tools: Partial<ToolInfo>[] = [{ name: 'http_fetch', requiredPermissions: ['http'] }, { name: 'calculator' }]) {
    super();
    this.tools = new Map(
      tools.map((t) => [t.name!, { name: t.name!, description: t.description ?? t.name!, parameters: t.parameters ?? { type: 'object' }, requiredPermissions: t.requiredPermissions ?? [], destructive: !!t.destructive }]),
    );
  }

  find(name: string): ToolInfo | undefined {
    return this.tools.get(name);
  }

  names(): string[] {
    return [...this.tools.keys()].sort();
  }
}

export const rules = { tools: new StaticToolCatalog(), defaultProvider: 'echo' };

export function definitionInput(overrides: Partial<AgentDefinitionInput> = {}): AgentDefinitionInput {
  return { name: 'ticket-summarizer', role: 'summarizer', capabilities: ['summarize'], tools: ['http_fetch'], ...overrides };
}

let counter = 0;
/** A fresh UUIDv7-shaped id (ordered). */
export function testId(): string {
  counter += 1;
  return `0190a000-0000-7000-8000-${counter.toString(16).padStart(12, '0')}`;
}

export function registeredDefinition(overrides: Partial<AgentDefinitionInput> = {}, tenantId = TENANT): AgentDefinition {
  const definition = AgentDefinition.register({ id: testId(), tenantId, definition: definitionInput(overrides) }, rules, t0);
  definition.pullEvents();
  return definition;
}

/** A stored-looking agent (revision 1, no pending events) moved to `status` along the legal path. */
export function agentIn(status: AgentStatus, overrides: Partial<AgentDefinitionInput> = {}): Agent {
  const agent = Agent.instantiate(registeredDefinition(overrides), { id: testId(), permissions: ['http'] }, t0);
  agent.markPersisted(1);
  const path: Record<AgentStatus, (a: Agent) => void> = {
    created: () => {
      throw new Error('an instantiated agent is idle at once');
    },
    idle: () => undefined,
    assigned: (a) => a.assign(TASK, t0),
    reasoning: (a) => (path.assigned(a), a.startReasoning(RUN, 1, t0)),
    executing: (a) => (path.reasoning(a), a.startExecution(RUN, ['http_fetch'], t0)),
    validating: (a) => (path.reasoning(a), a.startValidation(RUN, t0)),
    completed: () => {
      throw new Error('completed is transient: completeTask goes on to idle');
    },
    failed: (a) => (path.reasoning(a), a.failTask(RUN, { code: 'X', message: 'x' }, 5, t0)),
    retry: (a) => (path.failed(a), a.retry(RUN_2, RUN, 2, false, t0)),
    terminated: (a) => a.terminate('test', t0),
  };
  path[status](agent);
  agent.pullEvents();
  return agent;
}

export function errorOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}
