import { GetAgentDefinitionQueryHandler } from './get-agent-definition/get-agent-definition.query-handler';
import { GetAgentUsageQueryHandler } from './get-agent-usage/get-agent-usage.query-handler';
import { GetAgentQueryHandler } from './get-agent/get-agent.query-handler';
import { ListAgentDefinitionsQueryHandler } from './list-agent-definitions/list-agent-definitions.query-handler';
import { ListAgentsQueryHandler } from './list-agents/list-agents.query-handler';

export const AGENT_QUERY_HANDLERS = [GetAgentDefinitionQueryHandler, ListAgentDefinitionsQueryHandler, GetAgentQueryHandler, ListAgentsQueryHandler, GetAgentUsageQueryHandler];
