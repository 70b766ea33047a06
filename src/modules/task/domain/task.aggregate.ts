import { AggregateRoot, DomainError } from '@cognition/platform/domain';
import {
  TaskAssigned,
  TaskCancelled,
  TaskCompleted,
  TaskCreated,
  TaskFailed,
  TaskRequeued,
  TaskStarted,
  type TaskEventPayload,
} from '../contracts/task.events';
import type { TaskError, TaskFailureDisposition, TaskPriority, TaskStatus, TaskView } from '../contracts/task.types';
import type { TaskSpec } from './task-spec.value-object';

/**
 * The state machine: pending → assigned → in_progress → completed | failed; failed → pending
 * (retry); pending | assigned | in_progress → cancelled. assigned → failed covers an agent that
 * gave the task up (or was found stuck) before it started.
 */
export const TASK_TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ['assigned', 'cancelled'],
  assigned: ['in_progress', 'failed', 'cancelled'],
  in_progress: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: ['pending'],
  cancelled: [],
};

export const FINISHED_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/** A task's whole state; times as Dates. */
export interface TaskSnapshot extends Omit<TaskView, 'startedAt' | 'completedAt' | 'createdAt' | 'updatedAt'> {
  startedAt: Date | null;
  completedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewTaskProps {
  id: string;
  tenantId: string;
  spec: TaskSpec;
  /** Resolved task ids (refs of a batch already replaced). */
  dependencies: string[];
}

export interface FailOptions {
  excludeAgent?: boolean;
  reason?: 'retry' | 'escalated' | 'stuck';
}

/** A unit of work for an agent: the queue's item, with its attempts, outcome and dependencies. */
export class Task extends AggregateRoot {
  private constructor(private state: TaskSnapshot) {
    super();
  }

  /** A pending task at attempt 1 from a checked spec; records TaskCreated. */
  static create({ id, tenantId, spec, dependencies }: NewTaskProps, now: Date = new Date()): Task {
    const task = new Task({
      id,
      tenantId,
      name: spec.name,
      description: spec.description,
      priority: spec.priority,
      requiredCapabilities: [...spec.requiredCapabilities],
      preferredRole: spec.preferredRole,
      agentDefinitionId: spec.agentDefinitionId,
      dependencies: [...dependencies],
      input: structuredClone(spec.input),
      outputSchema: spec.outputSchema ? structuredClone(spec.outputSchema) : null,
      output: null,
      error: null,
      status: 'pending',
      assignedAgentId: null,
      excludedAgentIds: [],
      attempt: 1,
      maxAttempts: spec.maxAttempts,
      userId: spec.userId,
      sessionId: spec.sessionId,
      goalId: spec.goalId,
      workflowExecutionId: spec.workflowExecutionId,
      stepExecutionId: spec.stepExecutionId,
      startedAt: null,
      completedAt: null,
      createdAt: now,
      updatedAt: now,
      version: 0,
    });
    const s = task.state;
    task.record(
      new TaskCreated(
        tenantId,
        id,
        { ...task.eventBase(), priority: s.priority, requiredCapabilities: [...s.requiredCapabilities], dependencies: [...s.dependencies], input: s.input },
        now,
      ),
    );
    return task;
  }

  /** Rebuilds a stored task (no checks, no events). */
  static restore(snapshot: TaskSnapshot): Task {
    return new Task(structuredClone(snapshot));
  }

  get id(): string {
    return this.state.id;
  }

  get tenantId(): string {
    return this.state.tenantId;
  }

  get status(): TaskStatus {
    return this.state.status;
  }

  get priority(): TaskPriority {
    return this.state.priority;
  }

  get attempt(): number {
    return this.state.attempt;
  }

  get version(): number {
    return this.state.version;
  }

  get dependencies(): readonly string[] {
    return this.state.dependencies;
  }

  get assignedAgentId(): string | null {
    return this.state.assignedAgentId;
  }

  get isFinished(): boolean {
    return FINISHED_STATUSES.includes(this.state.status);
  }

  /** pending → assigned to `agentId`. */
  assign(agentId: string, now: Date = new Date()): void {
    this.moveTo('assigned', 'assign');
    this.state = { ...this.state, assignedAgentId: agentId, updatedAt: now };
    this.record(new TaskAssigned(this.tenantId, this.id, { ...this.eventBase(), agentId }, now));
  }

  /** assigned → in_progress; only the assigned agent may start. */
  start(agentId: string, now: Date = new Date()): void {
    this.assertHeldBy(agentId, 'start');
    this.moveTo('in_progress', 'start');
    this.state = { ...this.state, startedAt: now, updatedAt: now };
    this.record(new TaskStarted(this.tenantId, this.id, { ...this.eventBase(), agentId }, now));
  }

  /** in_progress → completed with the output; only the assigned agent may complete. */
  complete(agentId: string, output: unknown, now: Date = new Date()): void {
    this.assertHeldBy(agentId, 'complete');
    this.moveTo('completed', 'complete');
    const stored = output === undefined ? null : structuredClone(output);
    this.state = { ...this.state, output: stored, error: null, completedAt: now, updatedAt: now };
    const durationMs = this.state.startedAt ? now.getTime() - this.state.startedAt.getTime() : null;
    this.record(new TaskCompleted(this.tenantId, this.id, { ...this.eventBase(), agentId, output: stored, durationMs }, now));
  }

  /**
   * Ends the current attempt (assigned or in_progress) as failed. `agentId` must hold the task;
   * null is a release by the system. Then, per `disposition`: `fail` stays failed for good;
   * `requeue` goes back to pending for any agent as the next attempt while attempts remain;
   * `reassign` goes back to the same agent as the next attempt while attempts remain. When no
   * attempt remains both fail for good.
   */
  fail(agentId: string | null, error: TaskError, disposition: TaskFailureDisposition, options: FailOptions = {}, now: Date = new Date()): void {
    if (agentId !== null) this.assertHeldBy(agentId, 'fail');
    this.moveTo('failed', 'fail');
    const failingAgent = agentId ?? this.state.assignedAgentId;
    const willRetry = disposition !== 'fail' && this.state.attempt < this.state.maxAttempts;
    this.state = { ...this.state, error: { ...error }, updatedAt: now, completedAt: willRetry ? null : now };
    this.record(new TaskFailed(this.tenantId, this.id, { ...this.eventBase(), agentId: failingAgent, error: { ...error }, willRetry }, now));
    if (!willRetry) return;

    const excluded = options.excludeAgent && failingAgent && !this.state.excludedAgentIds.includes(failingAgent) ? [...this.state.excludedAgentIds, failingAgent] : this.state.excludedAgentIds;
    this.requeue(options.reason ?? 'retry', now, excluded);
    if (disposition === 'reassign' && failingAgent) this.assign(failingAgent, now);
  }

  /** pending | assigned | in_progress → cancelled; a finished task is TASK_ALREADY_FINISHED. */
  cancel(reason: string, now: Date = new Date()): void {
    if (this.isFinished) {
      throw new DomainError('TASK_ALREADY_FINISHED', `Task ${this.id} is already ${this.state.status}; only unfinished tasks can be cancelled`);
    }
    this.moveTo('cancelled', 'cancel');
    this.state = { ...this.state, completedAt: now, updatedAt: now };
    this.record(new TaskCancelled(this.tenantId, this.id, { ...this.eventBase(), reason }, now));
  }

  /** failed → pending as a new attempt, even beyond maxAttempts (a person asked); else TASK_NOT_FAILED. */
  retry(now: Date = new Date()): void {
    if (this.state.status !== 'failed') {
      throw new DomainError('TASK_NOT_FAILED', `Task ${this.id} is ${this.state.status}; only a failed task can be retried`);
    }
    this.requeue('manual', now, this.state.excludedAgentIds);
  }

  /** Called by repositories after a successful write with the stored version. */
  markPersisted(version: number): void {
    this.state = { ...this.state, version };
  }

  toSnapshot(): TaskSnapshot {
    return structuredClone(this.state);
  }

  toView(): TaskView {
    const s = this.toSnapshot();
    return {
      ...s,
      startedAt: s.startedAt?.toISOString() ?? null,
      completedAt: s.completedAt?.toISOString() ?? null,
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
    };
  }

  /** failed → pending as attempt + 1, unassigned, not started. */
  private requeue(reason: 'retry' | 'manual' | 'escalated' | 'stuck', now: Date, excludedAgentIds: string[]): void {
    this.moveTo('pending', 'retry');
    this.state = {
      ...this.state,
      attempt: this.state.attempt + 1,
      assignedAgentId: null,
      excludedAgentIds: [...excludedAgentIds],
      startedAt: null,
      completedAt: null,
      updatedAt: now,
    };
    this.record(new TaskRequeued(this.tenantId, this.id, { ...this.eventBase(), reason }, now));
  }

  private eventBase(): TaskEventPayload {
    const s = this.state;
    return { taskId: s.id, name: s.name, attempt: s.attempt, workflowExecutionId: s.workflowExecutionId, stepExecutionId: s.stepExecutionId };
  }

  private assertHeldBy(agentId: string, action: string): void {
    if (this.state.assignedAgentId !== agentId) {
      throw new DomainError(
        'TASK_INVALID_TRANSITION',
        `Agent ${agentId} cannot ${action} task ${this.id}: it is ${this.state.assignedAgentId ? `held by agent ${this.state.assignedAgentId}` : 'not assigned'}`,
        [{ path: 'agentId', code: 'NOT_ASSIGNED_AGENT', message: `task ${this.id} is not held by agent ${agentId}` }],
      );
    }
  }

  private moveTo(target: TaskStatus, action: string): void {
    const from = this.state.status;
    if (!TASK_TRANSITIONS[from].includes(target)) {
      throw new DomainError('TASK_INVALID_TRANSITION', `Cannot ${action} task ${this.id}: it is ${from}`, [
        { path: 'status', code: 'INVALID_TRANSITION', message: `${from} -> ${target} is not allowed` },
      ]);
    }
    this.state = { ...this.state, status: target };
  }
}
