import { Provider, Type } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { ClsPluginTransactional, NoOpTransactionalAdapter } from '@nestjs-cls/transactional';
import { ClsModule } from 'nestjs-cls';
import { AgentDefinitionRules } from '@cognition/agent/application/commands/definition-rules';
import { AgentDefinitionRepository } from '@cognition/agent/domain/agent-definition.repository.port';
import { AgentUsageLedger } from '@cognition/agent/domain/agent-usage-ledger.port';
import { AgentRepository } from '@cognition/agent/domain/agent.repository.port';
import { InMemoryAgentDefinitionRepository } from '../fakes/in-memory-agent-definition.repository';
import { InMemoryAgentUsageLedger } from '../fakes/in-memory-agent-usage-ledger';
import { InMemoryAgentRepository } from '../fakes/in-memory-agent.repository';
import { rules } from './agent.mother';

export interface AgentUnitModule {
  moduleRef: TestingModule;
  definitions: InMemoryAgentDefinitionRepository;
  agents: InMemoryAgentRepository;
  ledger: InMemoryAgentUsageLedger;
  /** Commands the handlers sent to other modules. */
  sent: unknown[];
}

/**
 * A Nest module for unit tests of agent handlers: in-memory repositories and ledger, a static tool
 * catalog, a recording CommandBus, and a no-op transaction adapter so @Transactional() runs without
 * a database.
 */
export async function agentUnitModule(...handlers: Type<unknown>[]): Promise<AgentUnitModule> {
  const definitions = new InMemoryAgentDefinitionRepository();
  const agents = new InMemoryAgentRepository();
  const ledger = new InMemoryAgentUsageLedger(agents);
  const sent: unknown[] = [];
  const providers: Provider[] = [
    ...handlers,
    { provide: AgentDefinitionRepository, useValue: definitions },
    { provide: AgentRepository, useValue: agents },
    { provide: AgentUsageLedger, useValue: ledger },
    { provide: AgentDefinitionRules, useValue: rules },
    { provide: CommandBus, useValue: { execute: async (command: unknown) => void sent.push(command) } },
  ];
  const moduleRef = await Test.createTestingModule({
    imports: [ClsModule.forRoot({ plugins: [new ClsPluginTransactional({ adapter: new NoOpTransactionalAdapter({ tx: {}, disableWarning: true }) })] })],
    providers,
  }).compile();
  return { moduleRef, definitions, agents, ledger, sent };
}
