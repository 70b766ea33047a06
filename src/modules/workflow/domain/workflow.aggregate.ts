import { AggregateRoot, DomainError } from '@cognition/platform/domain';
import {
  WorkflowActivated,
  WorkflowArchived,
  WorkflowCreated,
  WorkflowDeleted,
  WorkflowDeprecated,
  WorkflowUpdated,
  type WorkflowEventPayload,
  type WorkflowStatusChangedPayload,
} from '../contracts/workflow.events';
import type { WorkflowAnalysis, WorkflowSnapshot, WorkflowStatus } from '../contracts/workflow.types';
import { readOptionalString } from './field-checks';
import { ProblemList } from './problem-list';
import { SemVer } from './semver.value-object';
import type { StepTypeRegistry } from './step-type-registry';
import type { Step } from './step.value-object';
import { WorkflowDefinition, type WorkflowDefinitionInput } from './workflow-definition.value-object';
import { WorkflowId } from './workflow-id.value-object';

export interface CreateWorkflowInput extends WorkflowDefinitionInput {
  tenantId: string;
  workflowId: string;
  version: string;
  createdBy?: string | null;
}

/** Allowed lifecycle moves: draft → active → deprecated → archived; draft → archived; active → archived. */
const TRANSITIONS: Record<WorkflowStatus, readonly WorkflowStatus[]> = {
  draft: ['active', 'archived'],
  active: ['deprecated', 'archived'],
  deprecated: ['archived'],
  archived: [],
};

interface WorkflowState {
  tenantId: string;
  workflowId: string;
  version: SemVer;
  definition: WorkflowDefinition;
  status: WorkflowStatus;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  revision: number;
}

/**
 * One version of a workflow definition, keyed by (tenant, workflowId, version). A draft can be
 * edited and deleted; every other status is immutable (publish a new version instead).
 */
export class Workflow extends AggregateRoot {
  private constructor(private state: WorkflowState) {
    super();
  }

  /** Validates everything and throws one DomainError listing every problem; records WorkflowCreated. */
  static create(input: CreateWorkflowInput, stepTypes: StepTypeRegistry, now: Date = new Date()): Workflow {
    const problems = new ProblemList();
    const raw = (input ?? {}) as Partial<CreateWorkflowInput>;
    if (typeof raw.tenantId !== 'string' || raw.tenantId === '') problems.add('tenantId', 'REQUIRED', 'is required');
    if (raw.workflowId === undefined || raw.workflowId === null) problems.add('workflowId', 'REQUIRED', 'is required');
    else if (!WorkflowId.isValid(raw.workflowId)) problems.add('workflowId', 'INVALID_FORMAT', WorkflowId.formatMessage(raw.workflowId));
    const version = SemVer.tryParse(raw.version);
    if (raw.version === undefined || raw.version === null) problems.add('version', 'REQUIRED', 'is required');
    else if (!version) problems.add('version', 'INVALID_FORMAT', `${JSON.stringify(raw.version)} must be MAJOR.MINOR.PATCH, e.g. 1.2.0`);
    const createdBy = readOptionalString(raw.createdBy, 'createdBy', problems, { max: 255 });
    const definition = WorkflowDefinition.fromInput(input, stepTypes, problems);
    problems.throwIfAny();

    const workflow = new Workflow({
      tenantId: raw.tenantId as string,
      workflowId: raw.workflowId as string,
      version: version as SemVer,
      definition,
      status: 'draft',
      createdBy,
      createdAt: now,
      updatedAt: now,
      revision: 0,
    });
    workflow.record(
      new WorkflowCreated(
        workflow.tenantId,
        workflow.aggregateId,
        { ...workflow.eventBase(), stepCount: definition.steps.length, tags: [...definition.tags], createdBy },
        now,
      ),
    );
    return workflow;
  }

  /** Rebuilds a stored workflow (no validation, no events). */
  static restore(snapshot: WorkflowSnapshot): Workflow {
    const { tenantId, workflowId, version, status, createdBy, createdAt, updatedAt, revision } = snapshot;
    const { name, description, steps, schedule, tags, inputSchema, outputs } = snapshot;
    return new Workflow({
      tenantId,
      workflowId,
      version: SemVer.parse(version),
      definition: WorkflowDefinition.restore({ name, description, steps, schedule, tags, inputSchema, outputs }),
      status,
      createdBy,
      createdAt: new Date(createdAt),
      updatedAt: new Date(updatedAt),
      revision,
    });
  }

  get tenantId(): string {
    return this.state.tenantId;
  }

  get workflowId(): string {
    return this.state.workflowId;
  }

  get version(): string {
    return this.state.version.toString();
  }

  get semver(): SemVer {
    return this.state.version;
  }

  /** `${workflowId}@${version}`, the aggregateId of this version's events. */
  get aggregateId(): string {
    return `${this.state.workflowId}@${this.version}`;
  }

  get status(): WorkflowStatus {
    return this.state.status;
  }

  get name(): string {
    return this.state.definition.name;
  }

  get steps(): readonly Step[] {
    return this.state.definition.steps;
  }

  get tags(): readonly string[] {
    return this.state.definition.tags;
  }

  get revision(): number {
    return this.state.revision;
  }

  get updatedAt(): Date {
    return new Date(this.state.updatedAt);
  }

  /** Replaces the definition of a draft; re-validates everything. Records WorkflowUpdated. */
  updateDraft(input: WorkflowDefinitionInput, stepTypes: StepTypeRegistry, now: Date = new Date()): void {
    this.assertDraft('edit');
    const problems = new ProblemList();
    const definition = WorkflowDefinition.fromInput(input, stepTypes, problems);
    problems.throwIfAny();
    this.state = { ...this.state, definition, updatedAt: now };
    this.record(
      new WorkflowUpdated(
        this.tenantId,
        this.aggregateId,
        { ...this.eventBase(), stepCount: definition.steps.length, tags: [...definition.tags] },
        now,
      ),
    );
  }

  activate(now: Date = new Date()): void {
    this.moveTo('active', now, (payload) => new WorkflowActivated(this.tenantId, this.aggregateId, payload, now));
  }

  deprecate(now: Date = new Date()): void {
    this.moveTo('deprecated', now, (payload) => new WorkflowDeprecated(this.tenantId, this.aggregateId, payload, now));
  }

  archive(now: Date = new Date()): void {
    this.moveTo('archived', now, (payload) => new WorkflowArchived(this.tenantId, this.aggregateId, payload, now));
  }

  /** Only drafts can be deleted; records WorkflowDeleted (the repository then removes the row). */
  markDeleted(now: Date = new Date()): void {
    this.assertDraft('delete');
    this.state = { ...this.state, updatedAt: now };
    this.record(new WorkflowDeleted(this.tenantId, this.aggregateId, this.eventBase(), now));
  }

  canStartExecutions(): boolean {
    return this.state.status === 'active';
  }

  analyze(): WorkflowAnalysis {
    return this.state.definition.analyze();
  }

  /** Called by repositories after a successful write with the stored revision. */
  markPersisted(revision: number): void {
    this.state = { ...this.state, revision };
  }

  /** A plain, deep-copied, JSON-friendly view (dates as Date objects). */
  toSnapshot(): WorkflowSnapshot {
    const s = this.state;
    return {
      tenantId: s.tenantId,
      workflowId: s.workflowId,
      version: this.version,
      ...s.definition.toProps(),
      status: s.status,
      createdBy: s.createdBy,
      createdAt: new Date(s.createdAt),
      updatedAt: new Date(s.updatedAt),
      revision: s.revision,
    };
  }

  private eventBase(): WorkflowEventPayload {
    return { workflowId: this.workflowId, version: this.version, name: this.name, status: this.status };
  }

  private assertDraft(action: 'edit' | 'delete'): void {
    if (this.state.status !== 'draft') {
      throw new DomainError(
        'WORKFLOW_NOT_DRAFT',
        `Cannot ${action} workflow ${this.aggregateId}: its status is ${this.state.status}; only drafts can be changed, publish a new version instead`,
      );
    }
  }

  private moveTo(
    target: WorkflowStatus,
    now: Date,
    event: (payload: WorkflowStatusChangedPayload) => WorkflowActivated | WorkflowDeprecated | WorkflowArchived,
  ): void {
    const from = this.state.status;
    if (!TRANSITIONS[from].includes(target)) {
      throw new DomainError(
        'WORKFLOW_INVALID_TRANSITION',
        `Cannot change workflow ${this.aggregateId} from ${from} to ${target}`,
        [{ path: 'status', code: 'INVALID_TRANSITION', message: `${from} -> ${target} is not allowed` }],
      );
    }
    this.state = { ...this.state, status: target, updatedAt: now };
    this.record(event({ ...this.eventBase(), previousStatus: from, schedule: this.state.definition.schedule }));
  }
}
