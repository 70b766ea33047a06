import { DomainError, type DomainEvent } from '@cognition/platform/domain';
import { TASK_PRIORITIES, type TaskStatus } from '@cognition/task/contracts';
import { Task, type TaskSnapshot } from '@cognition/task/domain/task.aggregate';
import { TaskRepository, type TaskListFilter } from '@cognition/task/domain/task.repository.port';

/** TaskRepository in memory, with the adapter's semantics (no locks); events go to `publishedEvents`. */
export class InMemoryTaskRepository extends TaskRepository {
  readonly publishedEvents: DomainEvent[] = [];
  /** How many writes would have woken agent workers. */
  wakeUps = 0;
  private readonly rows = new Map<string, TaskSnapshot>();

  private load(row: TaskSnapshot): Task {
    return Task.restore(row);
  }

  private all(tenantId?: string): TaskSnapshot[] {
    return [...this.rows.values()].filter((row) => tenantId === undefined || row.tenantId === tenantId);
  }

  async findById(tenantId: string, id: string): Promise<Task | null> {
    const row = this.rows.get(id);
    return row && row.tenantId === tenantId ? this.load(row) : null;
  }

  async findByIds(tenantId: string, ids: readonly string[]): Promise<Task[]> {
    return ids.flatMap((id) => {
      const row = this.rows.get(id);
      return row && row.tenantId === tenantId ? [this.load(row)] : [];
    });
  }

  async lockDependencies(tenantId: string, ids: readonly string[]): Promise<Map<string, TaskStatus>> {
    return new Map(this.all(tenantId).filter((row) => ids.includes(row.id)).map((row) => [row.id, row.status]));
  }

  async list(tenantId: string, filter: TaskListFilter): Promise<Task[]> {
    return this.all(tenantId)
      .filter((r) => !filter.status || r.status === filter.status)
      .filter((r) => !filter.priority || r.priority === filter.priority)
      .filter((r) => !filter.agentId || r.assignedAgentId === filter.agentId)
      .filter((r) => !filter.workflowExecutionId || r.workflowExecutionId === filter.workflowExecutionId)
      .filter((r) => !filter.beforeId || r.id < filter.beforeId)
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, filter.limit)
      .map((r) => this.load(r));
  }

  async findPendingDependents(tenantId: string, taskIds: readonly string[]): Promise<Task[]> {
    return this.all(tenantId)
      .filter((r) => r.status === 'pending' && r.dependencies.some((d) => taskIds.includes(d)))
      .map((r) => this.load(r));
  }

  async findUnfinishedByWorkflowExecution(tenantId: string, workflowExecutionId: string): Promise<Task[]> {
    return this.all(tenantId)
      .filter((r) => r.workflowExecutionId === workflowExecutionId && ['pending', 'assigned', 'in_progress'].includes(r.status))
      .map((r) => this.load(r));
  }

  async claimAssignable(limit: number): Promise<Task[]> {
    const done = (id: string) => this.rows.get(id)?.status === 'completed';
    return this.all()
      .filter((r) => r.status === 'pending' && r.dependencies.every(done))
      .sort((a, b) => TASK_PRIORITIES.indexOf(a.priority) - TASK_PRIORITIES.indexOf(b.priority) || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((r) => this.load(r));
  }

  async insertMany(tasks: readonly Task[]): Promise<void> {
    for (const task of tasks) {
      if (this.rows.has(task.id)) throw new Error(`duplicate task id ${task.id}`);
      task.markPersisted(1);
      this.rows.set(task.id, task.toSnapshot());
    }
    this.publish(tasks);
  }

  async update(task: Task): Promise<void> {
    const stored = this.rows.get(task.id);
    if (!stored || stored.tenantId !== task.tenantId || stored.version !== task.version) {
      throw new DomainError('CONCURRENT_MODIFICATION', `Task ${task.id} was changed by someone else; reload and retry`);
    }
    task.markPersisted(task.version + 1);
    this.rows.set(task.id, task.toSnapshot());
    this.publish([task]);
  }

  /** Test helper: the stored state of a task. */
  stored(id: string): TaskSnapshot | undefined {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : undefined;
  }

  get size(): number {
    return this.rows.size;
  }

  private publish(tasks: readonly Task[]): void {
    const events = tasks.flatMap((t) => t.pullEvents());
    if (events.some((e) => ['TaskCreated', 'TaskRequeued', 'TaskCompleted'].includes(e.type))) this.wakeUps++;
    this.publishedEvents.push(...events);
  }
}
