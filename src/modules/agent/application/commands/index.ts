import { AgentDefinitionRules } from './definition-rules';
import { DeleteAgentDefinitionCommandHandler } from './delete-agent-definition/delete-agent-definition.command-handler';
import { GrantAgentPermissionsCommandHandler } from './grant-agent-permissions/grant-agent-permissions.command-handler';
import { InstantiateAgentCommandHandler } from './instantiate-agent/instantiate-agent.command-handler';
import { RecordAgentUsageCommandHandler } from './record-agent-usage/record-agent-usage.command-handler';
import { RegisterAgentDefinitionCommandHandler } from './register-agent-definition/register-agent-definition.command-handler';
import { ResetAgentBudgetCommandHandler } from './reset-agent-budget/reset-agent-budget.command-handler';
import { RevokeAgentPermissionCommandHandler } from './revoke-agent-permission/revoke-agent-permission.command-handler';
import { TerminateAgentCommandHandler } from './terminate-agent/terminate-agent.command-handler';
import { UpdateAgentDefinitionCommandHandler } from './update-agent-definition/update-agent-definition.command-handler';

/** The command handlers of definitions, agents and the usage ledger (and what they need). */
export const AGENT_COMMAND_HANDLERS = [
  AgentDefinitionRules,
  RegisterAgentDefinitionCommandHandler,
  UpdateAgentDefinitionCommandHandler,
  DeleteAgentDefinitionCommandHandler,
  InstantiateAgentCommandHandler,
  TerminateAgentCommandHandler,
  GrantAgentPermissionsCommandHandler,
  RevokeAgentPermissionCommandHandler,
  ResetAgentBudgetCommandHandler,
  RecordAgentUsageCommandHandler,
];
