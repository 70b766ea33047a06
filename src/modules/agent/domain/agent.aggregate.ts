import { AggregateRoot, DomainError } from '@cognition/platform/domain';
import {
  AgentAssigned,
  AgentBecameIdle,
  AgentBudgetReset,
  AgentCompletedTask,
  AgentCreated,
  AgentFailedTask,
  AgentPermissionGranted,
  AgentPermissionRevoked,
  AgentRecovered,
  AgentRetrying,
  AgentStartedExecution,
  AgentStartedReasoning,
  AgentStartedValidation,
  AgentStuck,
  AgentTerminated,
} from '../contracts/agent.events';
import type { AgentStatus, AgentView, Budget, BudgetUsage, FailureStrategy, ModelConfig } from '../contracts/agent.types';
import { readBudget, ZERO_USAGE } from './budget';
import { readPermissions, unionOf } from './permissions';
import { Problems } from './problems';

/** What an agent copies from its definition (an AgentDefinition aggregate fits). */
export interface AgentDefinitionSource {
  id: string;
  tenantId: string;
  name: string;
  role: string;
  capabilities: string[];
  tools: string[];
  modelConfig: ModelConfig;
  defaultBudget: Budget;
  /** Granted to every agent instantiated from the definition. */
  permissions: string[];
  systemPromptTemplate: string;
  failureStrategy: FailureStrategy;
}

export interface AgentState {
  id: string;
  tenantId: string;
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
  /** When usage first reached 80% of a limit (AgentApproachingBudgetLimit was emitted); null after a reset. */
  budgetWarnedAt: Date | null;
  grantedPermissions: string[];
  status: AgentStatus;
  currentTaskId: string | null;
  lastActiveAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Optimistic concurrency (0 until first stored). */
  revision: number;
}

type TaskError = { code: string; message: string };

/**
 * An agent instance (SPEC section 5). Its config is copied from the definition at instantiation.
 * Status machine: created → idle → assigned → reasoning ⇄ executing; reasoning → validating;
 * reasoning|validating → completed → idle; assigned|reasoning|executing|validating|retry → failed
 * → retry → reasoning; failed → idle; any → terminated (final). Budget usage is not changed here
 * but by the usage ledger's atomic SQL (except a reset).
 */
export class Agent extends AggregateRoot {
  private budgetReset = false;

  private constructor(private state: AgentState) {
    super();
  }

  /**
   * A new agent from a definition: created, then idle at once. Its permissions are the definition's
   * followed by those of `options.permissions` it lacks. Records AgentCreated, AgentBecameIdle.
   */
  static instantiate(
    definition: AgentDefinitionSource,
    options: { id: string; budget?: Partial<Budget>; permissions?: string[] },
    now: Date,
  ): Agent {
    const problems = new Problems();
    const budgetLimits = readBudget(options.budget, { ...definition.defaultBudget }, 'budget', problems);
    const requested = readPermissions(options.permissions, problems);
    problems.throwIfAny('agent');
    const grantedPermissions = unionOf(definition.permissions, requested);
    const agent = new Agent({
      id: options.id,
      tenantId: definition.tenantId,
      definitionId: definition.id,
      name: definition.name,
      role: definition.role,
      capabilities: [...definition.capabilities],
      tools: [...definition.tools],
      modelConfig: structuredClone(definition.modelConfig),
      systemPromptTemplate: definition.systemPromptTemplate,
      failureStrategy: definition.failureStrategy,
      budgetLimits,
      budgetUsage: { ...ZERO_USAGE },
      budgetWarnedAt: null,
      grantedPermissions,
      status: 'created',
      currentTaskId: null,
      lastActiveAt: now,
      createdAt: now,
      updatedAt: now,
      revision: 0,
    });
    agent.record(new AgentCreated(agent.tenantId, agent.id, { agentId: agent.id, definitionId: definition.id, name: agent.name, role: agent.role }, now));
    agent.move('idle', ['created'], now);
    agent.record(new AgentBecameIdle(agent.tenantId, agent.id, { agentId: agent.id }, now));
    return agent;
  }

  /** Rebuilds a stored agent (no validation, no events). */
  static restore(state: AgentState): Agent {
    return new Agent(structuredClone(state));
  }

  get id(): string {
    return this.state.id;
  }
  get tenantId(): string {
    return this.state.tenantId;
  }
  get definitionId(): string {
    return this.state.definitionId;
  }
  get name(): string {
    return this.state.name;
  }
  get status(): AgentStatus {
    return this.state.status;
  }
  get currentTaskId(): string | null {
    return this.state.currentTaskId;
  }
  get role(): string {
    return this.state.role;
  }
  get capabilities(): string[] {
    return [...this.state.capabilities];
  }
  get tools(): string[] {
    return [...this.state.tools];
  }
  get modelConfig(): ModelConfig {
    return structuredClone(this.state.modelConfig);
  }
  get systemPromptTemplate(): string {
    return this.state.systemPromptTemplate;
  }
  get failureStrategy(): FailureStrategy {
    return this.state.failureStrategy;
  }
  get budgetLimits(): Budget {
    return { ...this.state.budgetLimits };
  }
  get budgetUsage(): BudgetUsage {
    return { ...this.state.budgetUsage };
  }
  get budgetWarnedAt(): Date | null {
    return this.state.budgetWarnedAt ? new Date(this.state.budgetWarnedAt) : null;
  }
  get grantedPermissions(): string[] {
    return [...this.state.grantedPermissions];
  }
  get lastActiveAt(): Date | null {
    return this.state.lastActiveAt ? new Date(this.state.lastActiveAt) : null;
  }
  get revision(): number {
    return this.state.revision;
  }
  /** True after resetBudget until the repository stored it: only then does it write the usage columns. */
  get budgetWasReset(): boolean {
    return this.budgetReset;
  }
  get isTerminated(): boolean {
    return this.state.status === 'terminated';
  }

  /** idle → assigned to `taskId`. */
  assign(taskId: string, now: Date): void {
    this.move('assigned', ['idle'], now, { currentTaskId: taskId });
    this.record(new AgentAssigned(this.tenantId, this.id, { agentId: this.id, taskId }, now));
  }

  /**
   * assigned|executing|retry → reasoning (also validating → reasoning, to ask the model again after
   * a validation error). `model`/`provider` name the model of this call (the fallback on a retry).
   */
  startReasoning(runId: string, iteration: number, now: Date, model = this.state.modelConfig.model, provider = this.state.modelConfig.provider): void {
    this.move('reasoning', ['assigned', 'executing', 'retry', 'validating'], now);
    this.record(new AgentStartedReasoning(this.tenantId, this.id, { ...this.run(runId), iteration, model, provider }, now));
  }

  /** reasoning → executing the tools the model asked for. */
  startExecution(runId: string, tools: string[], now: Date): void {
    this.move('executing', ['reasoning'], now);
    this.record(new AgentStartedExecution(this.tenantId, this.id, { ...this.run(runId), tools: [...tools] }, now));
  }

  /** reasoning → validating the final answer (also executing → validating, as SPEC's chain allows). */
  startValidation(runId: string, now: Date): void {
    this.move('validating', ['reasoning', 'executing'], now);
    this.record(new AgentStartedValidation(this.tenantId, this.id, this.run(runId), now));
  }

  /** reasoning|validating → completed → idle; the task is released. Records AgentCompletedTask, AgentBecameIdle. */
  completeTask(runId: string, durationMs: number, now: Date): void {
    const run = this.run(runId);
    this.move('completed', ['reasoning', 'validating'], now);
    this.record(new AgentCompletedTask(this.tenantId, this.id, { ...run, durationMs }, now));
    this.move('idle', ['completed'], now, { currentTaskId: null });
    this.record(new AgentBecameIdle(this.tenantId, this.id, { agentId: this.id }, now));
  }

  /** assigned|reasoning|executing|validating|retry → failed; keeps the task (a retry may follow). */
  failTask(runId: string, error: TaskError, durationMs: number, now: Date): void {
    const run = this.run(runId);
    this.move('failed', ['assigned', 'reasoning', 'executing', 'validating', 'retry'], now);
    this.record(
      new AgentFailedTask(this.tenantId, this.id, { ...run, durationMs, error: { code: error.code, message: error.message }, strategy: this.state.failureStrategy }, now),
    );
  }

  /** failed → retry: the same task again as run `runId` (attempt `attempt`). */
  retry(runId: string, previousRunId: string, attempt: number, useFallbackModel: boolean, now: Date): void {
    const run = this.run(runId);
    this.move('retry', ['failed'], now);
    this.record(new AgentRetrying(this.tenantId, this.id, { ...run, attempt, previousRunId, useFallbackModel }, now));
  }

  /** failed|completed → idle; the task is released. */
  becomeIdle(now: Date): void {
    this.move('idle', ['failed', 'completed'], now, { currentTaskId: null });
    this.record(new AgentBecameIdle(this.tenantId, this.id, { agentId: this.id }, now));
  }

  /** An agent inactive too long while working → failed (its task is released by the caller). */
  markStuck(inactiveSeconds: number, now: Date): void {
    const from = this.state.status;
    const taskId = this.state.currentTaskId;
    this.move('failed', ['assigned', 'reasoning', 'executing', 'validating', 'retry'], now);
    this.record(new AgentStuck(this.tenantId, this.id, { agentId: this.id, taskId, status: from, inactiveSeconds }, now));
  }

  /** failed → idle after the health job released its task. */
  recover(now: Date): void {
    this.move('idle', ['failed'], now, { currentTaskId: null });
    this.record(new AgentRecovered(this.tenantId, this.id, { agentId: this.id }, now));
  }

  /** Any status → terminated (final). The caller releases a held task (read currentTaskId first). */
  terminate(reason: string, now: Date): void {
    this.assertNotTerminated();
    this.state = { ...this.state, status: 'terminated', currentTaskId: null, lastActiveAt: now, updatedAt: now };
    this.record(new AgentTerminated(this.tenantId, this.id, { agentId: this.id, reason }, now));
  }

  /** Adds permissions; records AgentPermissionGranted with the newly added ones (none: no event). */
  grantPermissions(permissions: string[], now: Date): void {
    this.assertNotTerminated();
    const problems = new Problems();
    const wanted = readPermissions(permissions, problems, { dedupe: true });
    problems.throwIfAny('permission list');
    const added = wanted.filter((p) => !this.state.grantedPermissions.includes(p));
    if (added.length === 0) return;
    this.state = { ...this.state, grantedPermissions: [...this.state.grantedPermissions, ...added], updatedAt: now };
    this.record(new AgentPermissionGranted(this.tenantId, this.id, { agentId: this.id, permissions: added }, now));
  }

  /** Removes a permission; one not held is a no-op without an event. */
  revokePermission(permission: string, now: Date): void {
    this.assertNotTerminated();
    if (!this.state.grantedPermissions.includes(permission)) return;
    this.state = { ...this.state, grantedPermissions: this.state.grantedPermissions.filter((p) => p !== permission), updatedAt: now };
    this.record(new AgentPermissionRevoked(this.tenantId, this.id, { agentId: this.id, permission }, now));
  }

  hasPermissions(required: readonly string[]): boolean {
    return required.every((p) => this.state.grantedPermissions.includes(p));
  }

  /** Usage back to zero, limits merged with `limits`, the 80% warning re-armed. Records AgentBudgetReset. */
  resetBudget(limits: Partial<Budget> | undefined, now: Date): void {
    this.assertNotTerminated();
    const problems = new Problems();
    const budgetLimits = readBudget(limits, this.state.budgetLimits, 'budget', problems);
    problems.throwIfAny('budget');
    const previousUsage = { ...this.state.budgetUsage };
    this.state = { ...this.state, budgetLimits, budgetUsage: { ...ZERO_USAGE }, budgetWarnedAt: null, updatedAt: now };
    this.budgetReset = true;
    this.record(new AgentBudgetReset(this.tenantId, this.id, { agentId: this.id, previousUsage }, now));
  }

  /** Progress without a status change (the health job measures inactivity from lastActiveAt). */
  touch(now: Date): void {
    this.assertNotTerminated();
    this.state = { ...this.state, lastActiveAt: now };
  }

  /**
   * Called by repositories after a successful write with the stored revision and, when they read
   * it back, the usage as stored (the ledger changes it outside the aggregate).
   */
  markPersisted(revision: number, stored?: { budgetUsage: BudgetUsage; budgetWarnedAt: Date | null }): void {
    this.state = { ...this.state, revision, ...(stored ? { budgetUsage: { ...stored.budgetUsage }, budgetWarnedAt: stored.budgetWarnedAt } : {}) };
    this.budgetReset = false;
  }

  toState(): AgentState {
    return structuredClone(this.state);
  }

  toView(): AgentView {
    const s = this.state;
    return {
      id: s.id,
      definitionId: s.definitionId,
      name: s.name,
      role: s.role,
      capabilities: [...s.capabilities],
      tools: [...s.tools],
      modelConfig: structuredClone(s.modelConfig),
      systemPromptTemplate: s.systemPromptTemplate,
      failureStrategy: s.failureStrategy,
      budgetLimits: { ...s.budgetLimits },
      budgetUsage: { ...s.budgetUsage },
      grantedPermissions: [...s.grantedPermissions],
      status: s.status,
      currentTaskId: s.currentTaskId,
      lastActiveAt: s.lastActiveAt ? s.lastActiveAt.toISOString() : null,
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
      revision: s.revision,
    };
  }

  private move(to: AgentStatus, from: readonly AgentStatus[], now: Date, changes: Partial<AgentState> = {}): void {
    this.assertNotTerminated();
    const current = this.state.status;
    if (!from.includes(current)) {
      throw new DomainError('AGENT_INVALID_TRANSITION', `Agent ${this.id} cannot go from ${current} to ${to}`, [
        { path: 'status', code: 'INVALID_TRANSITION', message: `${current} -> ${to} is not allowed` },
      ]);
    }
    this.state = { ...this.state, ...changes, status: to, lastActiveAt: now, updatedAt: now };
  }

  private assertNotTerminated(): void {
    if (this.state.status === 'terminated') throw new DomainError('AGENT_TERMINATED', `Agent ${this.id} is terminated`);
  }

  /** The payload base of a run's events: the held task. */
  private run(runId: string): { agentId: string; taskId: string; runId: string } {
    this.assertNotTerminated();
    return { agentId: this.id, taskId: this.state.currentTaskId ?? '', runId };
  }
}
