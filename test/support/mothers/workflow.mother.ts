import { DomainError } from '@cognition/platform/domain';
import type { StepDefinition, WorkflowStatus } from '@cognition/workflow/contracts';
import { StaticStepTypeRegistry } from '@cognition/workflow/domain/step-type-registry';
import { Workflow, type CreateWorkflowInput } from '@cognition/workflow/domain/workflow.aggregate';

/** Shared fixtures of the workflow domain's unit tests. */
export const stepTypes = new StaticStepTypeRegistry();
export const t0 = new Date('2025-01-01T00:00:00Z');
export const t1 = new Date('2025-01-02T00:00:00Z');

export function workflowInput(overrides: Partial<CreateWorkflowInput> = {}): CreateWorkflowInput {
  return {
    tenantId: 'tenant-1',
    workflowId: 'daily-report',
    version: '1.0.0',
    name: 'Daily report',
    createdBy: 'key-1',
    steps: [
      { id: 'fetch', type: 'http_request', params: { url: 'https://example.com/${{ inputs.day }}' } },
      { id: 'summarize', type: 'transform', dependsOn: ['fetch'], params: { output: '${{ steps.fetch.output.body }}' } },
    ],
    ...overrides,
  };
}

export function errorOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

/** A stored workflow in the given status, with no pending events. */
export function workflowIn(status: WorkflowStatus): Workflow {
  const workflow = Workflow.create(workflowInput(), stepTypes, t0);
  if (status === 'active' || status === 'deprecated') workflow.activate(t0);
  if (status === 'deprecated') workflow.deprecate(t0);
  if (status === 'archived') workflow.archive(t0);
  workflow.pullEvents();
  return workflow;
}

/** A step definition with every default filled, as stored (dependsOn and overrides as given). */
export function stepDefinition(id: string, dependsOn: string[] = [], extra: Partial<StepDefinition> = {}): StepDefinition {
  return {
    id,
    type: 'transform',
    name: id,
    params: {},
    dependsOn,
    timeoutSeconds: 300,
    retry: { maxAttempts: 1, backoff: 'exponential', initialDelayMs: 1000, maxDelayMs: 60000, jitter: true },
    condition: null,
    forEach: null,
    agentRole: null,
    concurrencyKey: null,
    ...extra,
  };
}
