export const BUILT_IN_ROLES = ['planner', 'reasoner', 'executor', 'critic', 'summarizer'] as const;

export const AGENT_STATUSES = ['created', 'idle', 'assigned', 'reasoning', 'executing', 'validating', 'completed', 'failed', 'retry', 'terminated'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/**
 * The variables a system prompt template may read (`${{ agent.role }}`, `${{ task.name }}`): the
 * agent run renders it with the agent's view and the task's view.
 */
export const PROMPT_TEMPLATE_VARIABLES = ['agent', 'task'] as const;

export const FAILURE_STRATEGIES = ['retry', 'escalate', 'abort', 'fallback'] as const;
export type FailureStrategy = (typeof FAILURE_STRATEGIES)[number];

export interface ModelConfig {
  /** `openai` (any OpenAI-compatible server), `anthropic` or `echo`. */
  provider: string;
  model: string;
  temperature: number;
  maxTokens: number;
  topP: number;
  fallback?: Omit<ModelConfig, 'fallback'> | null;
}

export interface Budget {
  maxTokens: number;
  maxCostUsd: number;
  maxTimeSeconds: number;
  maxToolExecutions: number;
}

export interface BudgetUsage {
  tokensUsed: number;
  costUsd: number;
  timeSeconds: number;
  toolExecutions: number;
}

export interface AgentDefinitionInput {
  name: string;
  version?: string;
  role: string;
  description?: string | null;
  capabilities?: string[];
  tools?: string[];
  /** Omitted settings take the defaults; omitted fallback settings come from the primary config. */
  modelConfig?: Partial<Omit<ModelConfig, 'fallback'>> & { fallback?: Partial<Omit<ModelConfig, 'fallback'>> | null };
  defaultBudget?: Partial<Budget>;
  /** Granted to every agent instantiated from the definition (unique; default none). */
  permissions?: string[];
  systemPromptTemplate?: string;
  failureStrategy?: FailureStrategy;
}

export interface AgentDefinitionView {
  id: string;
  name: string;
  version: string;
  role: string;
  description: string | null;
  capabilities: string[];
  tools: string[];
  modelConfig: ModelConfig;
  defaultBudget: Budget;
  /** Granted to every agent instantiated from the definition. */
  permissions: string[];
  systemPromptTemplate: string;
  failureStrategy: FailureStrategy;
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency version. */
  revision: number;
}

export interface AgentView {
  id: string;
  definitionId: string;
  name: string;
  role: string;
  capabilities: string[];
  tools: string[];
  modelConfig: ModelConfig;
  systemPromptTemplate: string;
  failureStrategy: FailureStrategy;
  budgetLimits: Budget;
  budgetUsage: BudgetUsage;
  grantedPermissions: string[];
  status: AgentStatus;
  currentTaskId: string | null;
  lastActiveAt: string | null;
  createdAt: string;
  updatedAt: string;
  revision: number;
}

/** One row of the usage ledger: a model call or a tool call. */
export interface UsageEntryView {
  id: string;
  agentId: string;
  taskId: string | null;
  runId: string | null;
  kind: 'model_call' | 'tool_call';
  /** Model name or tool name. */
  name: string;
  provider: string | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  durationMs: number;
  status: 'succeeded' | 'failed';
  error: { code: string; message: string } | null;
  createdAt: string;
}

export interface AgentUsageView {
  agentId: string;
  budgetLimits: Budget;
  budgetUsage: BudgetUsage;
  /** Sums over the ledger (equal to budgetUsage unless the budget was reset). */
  ledgerTotals: { tokensIn: number; tokensOut: number; costUsd: number; durationMs: number; modelCalls: number; toolCalls: number };
  entries: UsageEntryView[];
}
