/**
 * The contract of an agent tool. A tool is a Nest provider marked `@AgentTool('name')`; the agent
 * module discovers every one at start, so an application that imports our modules adds its own the
 * same way (as with `@StepType`).
 */
export interface AgentToolContext {
  tenantId: string;
  agentId: string;
  taskId: string;
  /** Aborted when the tool's timeout passes or the run stops. */
  signal: AbortSignal;
}

export interface AgentToolHandler {
  /** Shown to the model. */
  readonly description: string;
  /** JSON Schema of the arguments object (shown to the model, and checked before the tool runs). */
  readonly parameters: Record<string, unknown>;
  /** Permissions the agent must hold; a destructive tool also needs `destructive`. */
  readonly requiredPermissions?: string[];
  readonly destructive?: boolean;
  /** Per-call timeout; default AGENT_TOOL_TIMEOUT_SECONDS. */
  readonly timeoutSeconds?: number;
  execute(args: Record<string, unknown>, context: AgentToolContext): Promise<unknown>;
}

export const AGENT_TOOL = 'cognitionos:agent-tool';

/** Marks a provider implementing AgentToolHandler as the tool `name` (discovered at start). */
export function AgentTool(name: string): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(AGENT_TOOL, name, target);
  };
}

/** Throw from a tool to fail the call with a stable code (the model sees the message). */
export class AgentToolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AgentToolError';
  }
}
