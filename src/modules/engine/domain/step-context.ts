import type { ExecutionPlan } from './execution-plan';

export interface StepRow {
  step_id: string;
  status: string;
  output: unknown;
}

/** The CEL context of SPEC section 3: inputs, steps.<id>.{output,status}, execution, workflow. */
export function stepContext(plan: ExecutionPlan, executionId: string, inputs: Record<string, unknown>, rows: StepRow[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const steps: Record<string, { output: unknown; status: string }> = {};
  for (const r of rows) steps[r.step_id] = { output: r.output ?? null, status: r.status };
  return {
    inputs,
    steps,
    execution: { id: executionId },
    workflow: { id: plan.workflowId, version: plan.version },
    ...extra,
  };
}
