/**
 * The inputs of the executions a worker ran steps of lately (least recently used out first). An
 * execution's inputs never change, so a claim need not send them again while the worker holds
 * them: the claim is told which executions those are (`known()`). A forEach over a large input
 * list then receives the list once, not with every claim of its items.
 */
export class ExecutionInputsCache {
  private readonly entries = new Map<string, Record<string, unknown>>();

  /** `max` executions are kept; their inputs are at most EXECUTION_INPUT_MAX_BYTES each. */
  constructor(private readonly max = 32) {}

  known(): string[] {
    return [...this.entries.keys()];
  }

  get(executionId: string): Record<string, unknown> | undefined {
    const inputs = this.entries.get(executionId);
    if (inputs !== undefined) this.touch(executionId, inputs);
    return inputs;
  }

  set(executionId: string, inputs: Record<string, unknown>): void {
    this.touch(executionId, inputs);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  private touch(executionId: string, inputs: Record<string, unknown>): void {
    this.entries.delete(executionId);
    this.entries.set(executionId, inputs);
  }
}
