import type { StepDefinition, WorkflowSnapshot } from '@cognition/workflow/contracts';

/**
 * The run-time view of one (immutable) workflow version: steps by id, who depends on whom, and
 * what a failure skips. Built once per version and cached by the engine.
 */
export class ExecutionPlan {
  readonly steps: ReadonlyMap<string, StepDefinition>;
  /** Direct dependents of each step. */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
  private readonly downstream = new Map<string, readonly string[]>();
  /**
   * The largest serialized output a step may store (STEP_OUTPUT_MAX_BYTES; set by the engine when it
   * builds the plan). Also bounds a forEach step's output, the list of its items' outputs.
   */
  maxOutputBytes = 1_048_576;

  constructor(
    readonly tenantId: string,
    readonly workflowId: string,
    readonly version: string,
    readonly stepList: readonly StepDefinition[],
    readonly outputs: Record<string, unknown> | null,
    readonly inputSchema: Record<string, unknown> | null,
  ) {
    this.steps = new Map(stepList.map((s) => [s.id, s]));
    const dependents = new Map<string, string[]>(stepList.map((s) => [s.id, []]));
    for (const step of stepList) for (const dep of step.dependsOn) dependents.get(dep)?.push(step.id);
    this.dependents = dependents;
  }

  static fromSnapshot(s: WorkflowSnapshot): ExecutionPlan {
    return new ExecutionPlan(s.tenantId, s.workflowId, s.version, s.steps, s.outputs, s.inputSchema);
  }

  step(stepId: string): StepDefinition {
    const step = this.steps.get(stepId);
    if (!step) throw new Error(`step ${stepId} is not in ${this.workflowId}@${this.version}`);
    return step;
  }

  /** Every step downstream of `stepId` (transitive dependents), in declaration order. */
  downstreamOf(stepId: string): readonly string[] {
    const cached = this.downstream.get(stepId);
    if (cached) return cached;
    const seen = new Set<string>();
    const stack = [...(this.dependents.get(stepId) ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(this.dependents.get(id) ?? []));
    }
    const result = this.stepList.filter((s) => seen.has(s.id)).map((s) => s.id);
    this.downstream.set(stepId, result);
    return result;
  }

  private readonly reads = new Map<string, boolean>();
  private readonly forEachReads = new Map<string, boolean>();

  /**
   * Whether a step's params, condition or concurrency key may read other steps' results (so the
   * worker loads them for its context, for the step and for each of its forEach items). Errs on the
   * side of loading: any mention of `steps` counts. The forEach list is not counted: it is
   * evaluated once, when the step itself runs, and the runner loads what it reads then
   * (`forEachReadsSteps`) — so running the items never loads the list's source.
   */
  readsSteps(stepId: string): boolean {
    let reads = this.reads.get(stepId);
    if (reads === undefined) {
      const s = this.step(stepId);
      reads = s.dependsOn.length > 0 && /\bsteps\b/.test(JSON.stringify([s.params, s.condition, s.concurrencyKey]));
      this.reads.set(stepId, reads);
    }
    return reads;
  }

  /** Whether a step's forEach list expression may read other steps' results. */
  forEachReadsSteps(stepId: string): boolean {
    let reads = this.forEachReads.get(stepId);
    if (reads === undefined) {
      const s = this.step(stepId);
      reads = s.dependsOn.length > 0 && !!s.forEach && /\bsteps\b/.test(s.forEach);
      this.forEachReads.set(stepId, reads);
    }
    return reads;
  }
}
