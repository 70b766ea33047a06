import { abortable } from '@cognition/platform/async/abortable';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@cognition/config/app-config';
import { DomainError } from '@cognition/platform/domain';
import { validateValue } from '@cognition/platform/json-schema/json-schema';
import { AgentToolError, AgentView, BudgetUsage } from '../../contracts';
import { ModelToolCall } from '../../domain/model-provider.port';
import { AgentMetrics } from '../agent-metrics';
import { AgentTools } from '../tools/agent-tools';
import { AgentRunSteps, RunRef } from './agent-run-steps';

/** What the model gets back for a tool call (an error is reported to it, not thrown). */
export interface ToolCallResult {
  content: string;
  isError: boolean;
  usage: BudgetUsage;
}

const RESULT_CHARS = 20_000;

/**
 * Runs one tool call the model asked for: the tool must be one of the agent's, the agent must hold
 * every permission it requires (`destructive` for destructive tools), the arguments must match its
 * schema, and it runs under its own timeout. Every call — refused, failed or done — is recorded in
 * the ledger (a tool execution against the budget) with its event; a refused one never runs.
 */
@Injectable()
export class ToolCallRunner {
  constructor(
    private readonly tools: AgentTools,
    private readonly steps: AgentRunSteps,
    private readonly config: AppConfig,
    private readonly metrics: AgentMetrics,
  ) {}

  async run(run: RunRef, agent: AgentView, call: ModelToolCall, runSignal: AbortSignal): Promise<ToolCallResult> {
    if (agent.budgetUsage.toolExecutions >= agent.budgetLimits.maxToolExecutions) {
      await this.steps.refuseBeforeCall(run, agent, 'toolExecutions');
      throw new DomainError('BUDGET_EXCEEDED', `agent ${agent.id} has no tool executions left (${agent.budgetLimits.maxToolExecutions})`);
    }
    const startedAt = new Date();
    const outcome = await this.execute(run, agent, call, runSignal);
    const durationMs = Date.now() - startedAt.getTime();
    this.metrics.toolCalls.inc({ tool: call.name, outcome: 'error' in outcome ? 'failed' : 'ok' });
    const recorded = await this.steps.recordToolCall(run, call.name, call.arguments, startedAt, durationMs, outcome);
    if (!recorded.ok) throw recorded.error;
    if ('error' in outcome) return { content: `error ${outcome.error.code}: ${outcome.error.message}`, isError: true, usage: recorded.usage };
    const text = typeof outcome.result === 'string' ? outcome.result : JSON.stringify(outcome.result ?? null);
    return { content: text.length > RESULT_CHARS ? `${text.slice(0, RESULT_CHARS)}…` : text, isError: false, usage: recorded.usage };
  }

  private async execute(run: RunRef, agent: AgentView, call: ModelToolCall, runSignal: AbortSignal): Promise<{ result: unknown } | { error: { code: string; message: string } }> {
    const info = this.tools.find(call.name);
    const handler = this.tools.handler(call.name);
    if (!info || !handler || !agent.tools.includes(call.name)) return { error: { code: 'TOOL_NOT_FOUND', message: `agent ${agent.id} has no tool "${call.name}"` } };
    const missing = info.requiredPermissions.filter((p) => !agent.grantedPermissions.includes(p));
    if (missing.length) return { error: { code: 'PERMISSION_DENIED', message: `tool "${call.name}" needs permission${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` } };
    const problems = validateValue(info.parameters, call.arguments, 'arguments');
    if (problems.length) return { error: { code: 'INVALID_ARGUMENTS', message: problems.map((p) => `${p.path}: ${p.message}`).join('; ') } };
    const seconds = handler.timeoutSeconds ?? this.config.get('AGENT_TOOL_TIMEOUT_SECONDS');
    const timeout = AbortSignal.timeout(seconds * 1000);
    const signal = AbortSignal.any([runSignal, timeout]);
    try {
      const result = await abortable(handler.execute(call.arguments, { tenantId: run.tenantId, agentId: run.agentId, taskId: run.taskId, signal }), signal);
      return { result };
    } catch (error) {
      if (timeout.aborted) return { error: { code: 'TOOL_TIMEOUT', message: `tool "${call.name}" did not finish within ${seconds} s` } };
      if (runSignal.aborted) throw error;
      if (error instanceof AgentToolError) return { error: { code: error.code, message: error.message } };
      return { error: { code: 'TOOL_FAILED', message: error instanceof Error ? error.message : String(error) } };
    }
  }
}

