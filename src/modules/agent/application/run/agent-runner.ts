import { Injectable, Logger } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { AppConfig } from '@cognition/config/app-config';
import { DomainError } from '@cognition/platform/domain';
import { newId } from '@cognition/platform/ids/uuid';
import { GetTaskQuery, TaskError, TaskView } from '@cognition/task/contracts';
import { AgentView, ModelConfig } from '../../contracts';
import { ModelMessage, ModelProvider, PriceTable } from '../../domain/model-provider.port';
import { AgentMetrics } from '../agent-metrics';
import { AgentTools } from '../tools/agent-tools';
import { AgentRunSteps, RunRef } from './agent-run-steps';
import { budgetLimitReached, remainingTokens, toTaskError } from './run-failure';
import { parseAnswer, repairPrompt, systemPrompt, taskPrompt } from './run-prompt';
import { ToolCallRunner } from './tool-call-runner';

/** A run gives up after this many model calls even within budget (a model that never answers). */
export const MAX_ITERATIONS = 50;

/** Errors after which retrying the same task cannot help. */
const FINAL_CODES = new Set(['BUDGET_EXCEEDED', 'MODEL_BAD_REQUEST', 'MODEL_AUTH_FAILED', 'MODEL_PROVIDER_UNKNOWN', 'TASK_CANCELLED']);

/**
 * The agent run (SPEC section 5): render the system prompt, call the model, run the tools it asks
 * for, loop until a final answer or a limit, validate the answer against the task's outputSchema
 * (asking once more with the problems), then complete the task — or fail it and apply the
 * definition's failure strategy (retry in place, fallback model, escalate to another agent, abort).
 */
@Injectable()
export class AgentRunner {
  private readonly logger = new Logger(AgentRunner.name);

  constructor(
    private readonly steps: AgentRunSteps,
    private readonly models: ModelProvider,
    private readonly prices: PriceTable,
    private readonly tools: AgentTools,
    private readonly toolCalls: ToolCallRunner,
    private readonly queries: QueryBus,
    private readonly config: AppConfig,
    private readonly metrics: AgentMetrics,
  ) {}

  /** Runs an assigned task to its end (completed, failed, requeued or given up). Never throws. */
  async run(tenantId: string, agentId: string, taskId: string, abort: AbortSignal): Promise<void> {
    let run: RunRef = { tenantId, agentId, taskId, runId: newId() };
    let useFallback = false;
    try {
      const begun = await this.steps.begin(run).catch(async (error: unknown) => {
        // The task was cancelled (or taken) between its assignment and now: free the agent.
        await this.steps.abandon(run, toTaskError(error), 0);
        throw error;
      });
      let { agent, task } = begun;
      for (;;) {
        const started = Date.now();
        const model = modelOf(agent, useFallback);
        const outcome = await this.attempt(run, agent, task, model, abort).catch((error: unknown) => ({ error: toTaskError(error) }));
        const durationMs = Date.now() - started;
        // The process is stopping and its grace ran out: the task goes back to the queue now.
        if (abort.aborted) {
          await this.steps.release(run, { code: 'WORKER_SHUTDOWN', message: 'the worker stopped before the run finished; the task was requeued' }, durationMs);
          this.metrics.runs.inc({ outcome: 'abandoned' });
          return;
        }
        if ('output' in outcome) {
          await this.steps.complete(run, outcome.output, durationMs);
          this.metrics.runs.inc({ outcome: 'completed' });
          return;
        }
        this.metrics.runs.inc({ outcome: outcome.error.code === 'TASK_CANCELLED' || outcome.error.code === 'RUN_ABORTED' ? 'abandoned' : 'failed' });
        // Cancelled: free the agent. Taken away (stuck detection): whoever took it reset the agent.
        if (outcome.error.code === 'TASK_CANCELLED') await this.steps.abandon(run, outcome.error, durationMs);
        if (outcome.error.code === 'TASK_CANCELLED' || outcome.error.code === 'RUN_ABORTED') return;
        const decision = this.decide(agent, outcome.error, useFallback);
        const next = decision.retry ? { runId: newId(), useFallbackModel: decision.useFallback } : null;
        task = await this.steps.fail(run, outcome.error, durationMs, decision.disposition, next);
        if (!next || task.status !== 'in_progress' || task.assignedAgentId !== agentId) return;
        run = { ...run, runId: next.runId };
        useFallback = next.useFallbackModel;
        agent = await this.steps.transition(tenantId, agentId, (a, now) => {
          const m = modelOf(a.toView(), useFallback);
          a.startReasoning(run.runId, 1, now, m.model, m.provider);
        });
      }
    } catch (error) {
      // A lost race (stuck detection, termination, cancellation) or a database error: the health
      // job and the task queue recover the agent and the task.
      this.logger.warn(`agent ${agentId} run of task ${taskId} stopped: ${(error as Error).message}`);
    }
  }

  /** What the definition's failure strategy does with this error. */
  private decide(agent: AgentView, error: TaskError, usedFallback: boolean): { disposition: 'fail' | 'requeue' | 'reassign'; retry: boolean; useFallback: boolean } {
    if (FINAL_CODES.has(error.code)) return { disposition: 'fail', retry: false, useFallback: false };
    switch (agent.failureStrategy) {
      case 'retry':
        return { disposition: 'reassign', retry: true, useFallback: usedFallback };
      case 'fallback':
        return agent.modelConfig.fallback && !usedFallback ? { disposition: 'reassign', retry: true, useFallback: true } : { disposition: 'fail', retry: false, useFallback: false };
      case 'escalate':
        return { disposition: 'requeue', retry: false, useFallback: false };
      default:
        return { disposition: 'fail', retry: false, useFallback: false };
    }
  }

  /** One attempt: the reasoning/tool loop until an answer (`output`) or an error. */
  private async attempt(run: RunRef, agent: AgentView, task: TaskView, model: Omit<ModelConfig, 'fallback'>, abort: AbortSignal): Promise<{ output: unknown }> {
    const remainingSeconds = agent.budgetLimits.maxTimeSeconds - agent.budgetUsage.timeSeconds;
    const signal = AbortSignal.any([abort, AbortSignal.timeout(Math.max(1, remainingSeconds * 1000))]);
    const toolSpecs = agent.tools.map((name) => this.tools.find(name)).filter((t) => t !== undefined);
    const messages: ModelMessage[] = [
      { role: 'system', content: systemPrompt(agent, task) },
      { role: 'user', content: taskPrompt(task) },
    ];
    let repaired = false;
    for (let iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
      await this.ensureTaskIsOurs(run, task.attempt);
      if (iteration > 1) agent = await this.steps.transition(run.tenantId, run.agentId, (a, now) => a.startReasoning(run.runId, iteration, now, model.model, model.provider));
      const limit = budgetLimitReached(agent);
      if (limit) {
        await this.steps.refuseBeforeCall(run, agent, limit);
        throw new DomainError('BUDGET_EXCEEDED', `agent ${agent.id} has no ${limit} budget left`);
      }
      const startedAt = new Date();
      const timer = this.metrics.modelCallDuration.startTimer({ provider: model.provider, model: model.model });
      const response = await this.models
        .complete({
          provider: model.provider,
          model: model.model,
          messages,
          tools: toolSpecs.length ? toolSpecs.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })) : undefined,
          temperature: model.temperature,
          topP: model.topP,
          maxTokens: Math.min(model.maxTokens, remainingTokens(agent)),
          signal,
        })
        .catch((error: unknown) => {
          timer({ outcome: 'error' });
          throw error;
        });
      const cost = this.prices.costOf(model.provider, response.model || model.model, response.usage);
      const recorded = await this.steps.recordModelCall(
        run,
        {
          kind: 'model_call',
          name: response.model || model.model,
          provider: model.provider,
          tokensIn: response.usage.inputTokens,
          tokensOut: response.usage.outputTokens,
          costUsd: cost,
          durationMs: Date.now() - startedAt.getTime(),
        },
        { startedAt, finishReason: response.finishReason },
      );
      timer({ outcome: recorded.ok ? 'ok' : 'refused' });
      if (!recorded.ok) throw recorded.error;
      this.countUsage(model.provider, model.model, response.usage.inputTokens, response.usage.outputTokens, cost);
      agent = { ...agent, budgetUsage: recorded.usage };
      if (response.toolCalls.length) {
        agent = await this.steps.transition(run.tenantId, run.agentId, (a, now) => a.startExecution(run.runId, response.toolCalls.map((c) => c.name), now));
        messages.push({ role: 'assistant', content: response.content, toolCalls: response.toolCalls });
        for (const call of response.toolCalls) {
          const result = await this.toolCalls.run(run, agent, call, signal);
          agent = { ...agent, budgetUsage: result.usage };
          messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: result.content, isError: result.isError });
        }
        continue;
      }
      const content = response.content ?? '';
      if (!task.outputSchema) return this.answer(run, task, { text: content });
      agent = await this.steps.transition(run.tenantId, run.agentId, (a, now) => a.startValidation(run.runId, now));
      const answer = parseAnswer(content, task.outputSchema);
      if (answer.ok) return this.answer(run, task, answer.output);
      if (repaired) throw new DomainError('VALIDATION_FAILED', `the answer does not match the task's outputSchema: ${answer.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, answer.problems);
      repaired = true;
      messages.push({ role: 'assistant', content }, { role: 'user', content: repairPrompt(answer.problems) });
    }
    throw new DomainError('BUDGET_EXCEEDED', `no final answer after ${MAX_ITERATIONS} model calls`);
  }

  private countUsage(provider: string, model: string, tokensIn: number, tokensOut: number, cost: number): void {
    this.metrics.tokens.inc({ provider, model, direction: 'in' }, tokensIn);
    this.metrics.tokens.inc({ provider, model, direction: 'out' }, tokensOut);
    this.metrics.costUsd.inc({ provider, model }, cost);
  }

  /** The final answer, unless the task was taken from this run meanwhile (a slow call outlived stuck detection). */
  private async answer(run: RunRef, task: TaskView, output: unknown): Promise<{ output: unknown }> {
    await this.ensureTaskIsOurs(run, task.attempt);
    return { output };
  }

  /** Stops the run when the task was cancelled or taken from this agent (stuck detection). */
  private async ensureTaskIsOurs(run: RunRef, attempt: number): Promise<void> {
    const task = await this.queries.execute(new GetTaskQuery(run.tenantId, run.taskId));
    if (task.status === 'cancelled') throw new RunStop('TASK_CANCELLED', `task ${run.taskId} was cancelled`);
    if (task.assignedAgentId !== run.agentId || task.status !== 'in_progress' || task.attempt !== attempt) {
      throw new RunStop('RUN_ABORTED', `task ${run.taskId} attempt ${attempt} is no longer held by agent ${run.agentId}`);
    }
  }
}

export class RunStop extends Error {
  constructor(
    readonly code: 'TASK_CANCELLED' | 'RUN_ABORTED',
    message: string,
  ) {
    super(message);
  }
}

export function modelOf(agent: AgentView, useFallback: boolean): Omit<ModelConfig, 'fallback'> {
  const { fallback, ...primary } = agent.modelConfig;
  return useFallback && fallback ? fallback : primary;
}
