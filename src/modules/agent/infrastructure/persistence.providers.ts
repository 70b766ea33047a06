import type { Provider } from '@nestjs/common';
import { AgentDefinitionRepository } from '../domain/agent-definition.repository.port';
import { AgentUsageLedger } from '../domain/agent-usage-ledger.port';
import { AgentRepository } from '../domain/agent.repository.port';
import { TypeOrmAgentDefinitionRepository } from './typeorm-agent-definition.repository';
import { TypeOrmAgentRepository } from './typeorm-agent.repository';
import { TypeOrmAgentUsageLedger } from './typeorm-agent-usage-ledger';

/** The ports of definitions, agents and the usage ledger, bound to their PostgreSQL adapters. */
export const AGENT_PERSISTENCE_PROVIDERS: Provider[] = [
  { provide: AgentDefinitionRepository, useClass: TypeOrmAgentDefinitionRepository },
  { provide: AgentRepository, useClass: TypeOrmAgentRepository },
  { provide: AgentUsageLedger, useClass: TypeOrmAgentUsageLedger },
];
