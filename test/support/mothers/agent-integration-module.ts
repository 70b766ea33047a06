import { Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { createTestDatabase, TestDatabase, testEnv } from '../test-database';
import { StaticToolCatalog } from './agent.mother';

export interface AgentIntegrationModule {
  db: TestDatabase;
  moduleRef: TestingModule;
  close(): Promise<void>;
}

/**
 * The platform on a fresh database plus the agent module's persistence, command and query
 * handlers (not the whole AgentModule: no worker, runner or model providers), with a static tool
 * catalog. For integration tests of repositories, the usage ledger and handlers.
 */
export async function agentIntegrationModule(label: string): Promise<AgentIntegrationModule> {
  const db = await createTestDatabase(label);
  testEnv(db, { AGENT_WORKER_ENABLED: 'false' });
  const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
  const { AGENT_PERSISTENCE_PROVIDERS } = await import('@cognition/agent/infrastructure/persistence.providers');
  const { AGENT_COMMAND_HANDLERS } = await import('@cognition/agent/application/commands');
  const { AGENT_QUERY_HANDLERS } = await import('@cognition/agent/application/queries');
  const { ToolCatalog } = await import('@cognition/agent/domain/tool-catalog.port');
  const { EventTypeRegistry } = await import('@cognition/platform/outbox/event-type.registry');
  const { AGENT_EVENTS } = await import('@cognition/agent/contracts');

  @Module({ providers: [...AGENT_PERSISTENCE_PROVIDERS, ...AGENT_COMMAND_HANDLERS, ...AGENT_QUERY_HANDLERS, { provide: ToolCatalog, useValue: new StaticToolCatalog() }] })
  class AgentPersistenceTestModule {}

  const moduleRef = await Test.createTestingModule({ imports: [CognitionOsCoreModule.forRoot(), AgentPersistenceTestModule] }).compile();
  moduleRef.useLogger(false);
  moduleRef.get(EventTypeRegistry).register(...AGENT_EVENTS);
  await moduleRef.init();
  return {
    db,
    moduleRef,
    close: async () => {
      await moduleRef.close();
      await db.drop();
    },
  };
}
