import { Module, OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EventTypeRegistry } from '../../platform/outbox/event-type.registry';
import { AgentTools } from './application/tools/agent-tools';
import { AGENT_EVENTS } from './contracts';
import { ToolCatalog } from './domain/tool-catalog.port';

/**
 * Agents: definitions, instances with budgets and a usage ledger, model providers, tools, the agent
 * run and the workers that claim tasks for agents.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [
    // definitions and agents controllers
  ],
  providers: [
    AgentTools,
    { provide: ToolCatalog, useExisting: AgentTools },
    // definitions and agents: aggregates, repositories, command and query handlers
    // model providers
    // runner, worker, health
  ],
})
export class AgentModule implements OnModuleInit {
  constructor(private readonly eventTypes: EventTypeRegistry) {}

  onModuleInit(): void {
    this.eventTypes.register(...AGENT_EVENTS);
  }
}
