import { Command } from '@nestjs/cqrs';
import type { AgentDefinitionInput, AgentDefinitionView, AgentView, Budget, BudgetUsage } from './agent.types';

export class RegisterAgentDefinitionCommand extends Command<AgentDefinitionView> {
  constructor(
    readonly tenantId: string,
    readonly definition: AgentDefinitionInput,
  ) {
    super();
  }
}

/** Replaces the definition's fields (name and version stay); running agents keep their copied config. */
export class UpdateAgentDefinitionCommand extends Command<AgentDefinitionView> {
  constructor(
    readonly tenantId: string,
    readonly definitionId: string,
    readonly definition: AgentDefinitionInput,
    readonly expectedRevision?: number,
  ) {
    super();
  }
}

/** Refused (409 AGENT_DEFINITION_IN_USE) while agents of it are not terminated. */
export class DeleteAgentDefinitionCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly definitionId: string,
  ) {
    super();
  }
}

/** Instantiates an agent from a definition (config copied; budget = the definition's default, overridable). */
export class InstantiateAgentCommand extends Command<AgentView> {
  constructor(
    readonly tenantId: string,
    readonly definitionId: string,
    readonly options: { budget?: Partial<Budget>; permissions?: string[] } = {},
  ) {
    super();
  }
}

export class TerminateAgentCommand extends Command<AgentView> {
  constructor(
    readonly tenantId: string,
    readonly agentId: string,
    readonly reason = 'terminated by request',
  ) {
    super();
  }
}

export class GrantAgentPermissionsCommand extends Command<AgentView> {
  constructor(
    readonly tenantId: string,
    readonly agentId: string,
    readonly permissions: string[],
  ) {
    super();
  }
}

export class RevokeAgentPermissionCommand extends Command<AgentView> {
  constructor(
    readonly tenantId: string,
    readonly agentId: string,
    readonly permission: string,
  ) {
    super();
  }
}

export class ResetAgentBudgetCommand extends Command<AgentView> {
  constructor(
    readonly tenantId: string,
    readonly agentId: string,
    /** New limits (merged over the current ones). */
    readonly limits?: Partial<Budget>,
  ) {
    super();
  }
}

export interface UsageRecording {
  kind: 'model_call' | 'tool_call';
  name: string;
  provider?: string | null;
  taskId?: string | null;
  runId?: string | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  durationMs: number;
  status?: 'succeeded' | 'failed';
  error?: { code: string; message: string } | null;
}

/**
 * Records one model or tool call in the ledger and adds it to the agent's totals in one atomic,
 * conditional update: if any total would pass its limit, nothing is recorded and the command throws
 * BUDGET_EXCEEDED. Returns the ledger id and the new totals.
 */
export class RecordAgentUsageCommand extends Command<{ entryId: string; usage: BudgetUsage }> {
  constructor(
    readonly tenantId: string,
    readonly agentId: string,
    readonly usage: UsageRecording,
  ) {
    super();
  }
}

export interface TextGeneration {
  system?: string;
  prompt: string;
  /** A model of the provider. */
  model: string;
  /** Default: the server's MODEL_PROVIDER. */
  provider?: string;
  maxTokens?: number;
}

/**
 * One model call outside any agent (no budget, no tools): for other modules that need text from the
 * configured model provider, e.g. memory summaries. Throws the provider's error after its retries.
 */
export class GenerateTextCommand extends Command<{ text: string; model: string; usage: { inputTokens: number; outputTokens: number } }> {
  constructor(
    readonly tenantId: string,
    readonly request: TextGeneration,
  ) {
    super();
  }
}
