import { DomainError } from '@cognition/platform/domain';
import { Workflow } from '../domain/workflow.aggregate';
import { WorkflowRepository } from '../domain/workflow.repository.port';

/** Loads one version or fails with WORKFLOW_NOT_FOUND (another tenant's workflow is not found either). */
export async function loadWorkflowVersion(repo: WorkflowRepository, tenantId: string, workflowId: string, version: string): Promise<Workflow> {
  const workflow = await repo.findVersion(tenantId, workflowId, version);
  if (!workflow) throw new DomainError('WORKFLOW_NOT_FOUND', `Workflow ${workflowId} version ${version} not found`);
  return workflow;
}
