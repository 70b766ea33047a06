import { DomainError, type DomainEvent } from '@cognition/platform/domain';
import type { WorkflowSnapshot } from '@cognition/workflow/contracts';
import { SemVer } from '@cognition/workflow/domain/semver.value-object';
import { Workflow } from '@cognition/workflow/domain/workflow.aggregate';
import { WorkflowRepository, type WorkflowListFilter } from '@cognition/workflow/domain/workflow.repository.port';

/** WorkflowRepository in memory, with the adapter's semantics; events go to `publishedEvents`. */
export class InMemoryWorkflowRepository extends WorkflowRepository {
  readonly publishedEvents: DomainEvent[] = [];
  private readonly rows = new Map<string, WorkflowSnapshot>();

  private static key(tenantId: string, workflowId: string, version: string): string {
    return JSON.stringify([tenantId, workflowId, version]);
  }

  private bySemver = (a: WorkflowSnapshot, b: WorkflowSnapshot) => SemVer.compare(a.version, b.version);

  private versionsOf(tenantId: string, workflowId: string): WorkflowSnapshot[] {
    return [...this.rows.values()]
      .filter((row) => row.tenantId === tenantId && row.workflowId === workflowId)
      .sort(this.bySemver);
  }

  async findVersion(tenantId: string, workflowId: string, version: string): Promise<Workflow | null> {
    const row = this.rows.get(InMemoryWorkflowRepository.key(tenantId, workflowId, version));
    return row ? Workflow.restore(structuredClone(row)) : null;
  }

  async listVersions(tenantId: string, workflowId: string): Promise<Workflow[]> {
    return this.versionsOf(tenantId, workflowId).map((row) => Workflow.restore(structuredClone(row)));
  }

  async list(tenantId: string, filter: WorkflowListFilter): Promise<Workflow[]> {
    const q = filter.q?.toLowerCase();
    const after = filter.after;
    return [...this.rows.values()]
      .filter((row) => row.tenantId === tenantId)
      .filter((row) => !filter.status || row.status === filter.status)
      .filter((row) => !filter.tag || row.tags.includes(filter.tag))
      .filter((row) => !q || row.workflowId.toLowerCase().includes(q) || row.name.toLowerCase().includes(q))
      .sort((a, b) => (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : this.bySemver(a, b)))
      .filter(
        (row) =>
          !after ||
          row.workflowId > after.workflowId ||
          (row.workflowId === after.workflowId && SemVer.compare(row.version, after.version) > 0),
      )
      .slice(0, filter.limit)
      .map((row) => Workflow.restore(structuredClone(row)));
  }

  async listScheduled(): Promise<Workflow[]> {
    return [...this.rows.values()].filter((row) => row.status === 'active' && row.schedule).map((row) => Workflow.restore(structuredClone(row)));
  }

  async insert(workflow: Workflow): Promise<void> {
    const key = InMemoryWorkflowRepository.key(workflow.tenantId, workflow.workflowId, workflow.version);
    if (this.rows.has(key)) {
      throw new DomainError(
        'WORKFLOW_VERSION_EXISTS',
        `Workflow ${workflow.workflowId} version ${workflow.version} already exists; publish a new version instead`,
      );
    }
    workflow.markPersisted(1);
    this.rows.set(key, workflow.toSnapshot());
    this.publishedEvents.push(...workflow.pullEvents());
  }

  async update(workflow: Workflow): Promise<void> {
    const key = this.checkedKey(workflow);
    workflow.markPersisted(workflow.revision + 1);
    this.rows.set(key, workflow.toSnapshot());
    this.publishedEvents.push(...workflow.pullEvents());
  }

  async delete(workflow: Workflow): Promise<void> {
    this.rows.delete(this.checkedKey(workflow));
    this.publishedEvents.push(...workflow.pullEvents());
  }

  /** Test helper: how many versions are stored. */
  get size(): number {
    return this.rows.size;
  }

  private checkedKey(workflow: Workflow): string {
    const key = InMemoryWorkflowRepository.key(workflow.tenantId, workflow.workflowId, workflow.version);
    const stored = this.rows.get(key);
    if (!stored || stored.revision !== workflow.revision) {
      throw new DomainError(
        'CONCURRENT_MODIFICATION',
        `Workflow ${workflow.workflowId} version ${workflow.version} was changed by someone else; reload and retry`,
      );
    }
    return key;
  }
}
