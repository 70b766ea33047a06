import { Module, OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EventTypeRegistry } from '@cognition/platform/outbox/event-type.registry';
import { AgentMetrics } from './application/agent-metrics';
import { AgentHealth } from './application/health/agent-health';
import { AgentRunSteps } from './application/run/agent-run-steps';
import { AgentRunner } from './application/run/agent-runner';
import { ToolCallRunner } from './application/run/tool-call-runner';
import { AgentTools } from './application/tools/agent-tools';
import { AgentWorker } from './application/worker/agent-worker';
import { TaskDispatcher } from './application/worker/task-dispatcher';
import { AgentPool } from './infrastructure/agent-pool';
import { UsageLedgerRetentionJob } from './infrastructure/usage-ledger.retention-job';
import { HttpFetchTool } from './tools/http-fetch.tool';
import { AGENT_EVENTS } from './contracts';
import { ToolCatalog } from './domain/tool-catalog.port';
import { MODEL_PROVIDER_PROVIDERS } from './infrastructure/model-providers';
import { AGENT_COMMAND_HANDLERS } from './application/commands';
import { GenerateTextCommandHandler } from './application/commands/generate-text/generate-text.command-handler';
import { AGENT_QUERY_HANDLERS } from './application/queries';
import { AGENT_PERSISTENCE_PROVIDERS } from './infrastructure/persistence.providers';
import { AgentDefinitionsController } from './api/agent-definitions.controller';
import { AgentsController } from './api/agents.controller';

/**
 * Agents: definitions, instances with budgets and a usage ledger, model providers, tools, the agent
 * run and the workers that claim tasks for agents.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [
    AgentDefinitionsController,
    AgentsController,
  ],
  providers: [
    AgentTools,
    { provide: ToolCatalog, useExisting: AgentTools },
    ...AGENT_PERSISTENCE_PROVIDERS,
    ...AGENT_COMMAND_HANDLERS,
    GenerateTextCommandHandler,
    ...AGENT_QUERY_HANDLERS,
    ...MODEL_PROVIDER_PROVIDERS,
    AgentMetrics,
    AgentPool,
    AgentRunSteps,
    ToolCallRunner,
    AgentRunner,
    TaskDispatcher,
    AgentWorker,
    AgentHealth,
    HttpFetchTool,
    UsageLedgerRetentionJob,
  ],
})
export class AgentModule implements OnModuleInit {
  constructor(private readonly eventTypes: EventTypeRegistry) {}

  onModuleInit(): void {
    this.eventTypes.register(...AGENT_EVENTS);
  }
}
