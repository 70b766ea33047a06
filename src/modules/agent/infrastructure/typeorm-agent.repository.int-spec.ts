import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { agentIntegrationModule, AgentIntegrationModule } from '@cognition/test-support/mothers/agent-integration-module';
import { definitionInput, rules, RUN, TASK } from '@cognition/test-support/mothers/agent.mother';
import { newId } from '@cognition/platform/ids/uuid';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { DeleteAgentDefinitionCommand, InstantiateAgentCommand, RecordAgentUsageCommand } from '../contracts';
import { AgentDefinition } from '../domain/agent-definition.aggregate';
import { AgentDefinitionRepository } from '../domain/agent-definition.repository.port';
import { Agent } from '../domain/agent.aggregate';
import { AgentRepository } from '../domain/agent.repository.port';

const TENANT = '00000000-0000-7000-8000-0000000000d1';
const OTHER = '00000000-0000-7000-8000-0000000000d2';

describe('TypeOrmAgentDefinitionRepository and TypeOrmAgentRepository (real PostgreSQL)', () => {
  let m: AgentIntegrationModule;
  let definitions: AgentDefinitionRepository;
  let agents: AgentRepository;
  let tx: Tx;
  let ds: DataSource;

  beforeAll(async () => {
    m = await agentIntegrationModule('agent_repo');
    definitions = m.moduleRef.get(AgentDefinitionRepository);
    agents = m.moduleRef.get(AgentRepository);
    tx = m.moduleRef.get(TransactionHost) as unknown as Tx;
    ds = m.moduleRef.get(DataSource);
  });
  afterAll(() => m?.close());

  const eventsOf = async (aggregateId: string) => (await ds.query(`SELECT type FROM domain_events WHERE aggregate_id = $1 ORDER BY position`, [aggregateId])).map((r: { type: string }) => r.type);
  const define = (name: string, tenantId = TENANT, extra = {}) => AgentDefinition.register({ id: newId(), tenantId, definition: definitionInput({ name, ...extra }) }, rules, new Date());
  async function stored(name: string, extra = {}): Promise<AgentDefinition> {
    const definition = define(name, TENANT, extra);
    await tx.withTransaction(() => definitions.insert(definition));
    return definition;
  }
  async function storedAgent(definition: AgentDefinition): Promise<Agent> {
    const agent = Agent.instantiate(definition, { id: newId(), permissions: ['http'], budget: { maxCostUsd: 0.5 } }, new Date());
    await tx.withTransaction(() => agents.insert(agent));
    return agent;
  }

  it('round-trips a definition and an agent with their events, in the same transaction', async () => {
    const definition = define('round-trip', TENANT, { modelConfig: { provider: 'openai', model: 'gpt', fallback: { model: 'mini' } }, defaultBudget: { maxCostUsd: 2.5 }, permissions: ['math', 'http'] });
    await tx.withTransaction(() => definitions.insert(definition));
    const loaded = (await definitions.findById(TENANT, definition.id))!;
    expect(loaded.toState()).toEqual({ ...definition.toState(), revision: 1 });
    expect(loaded.permissions).toEqual(['math', 'http']);
    const agent = await storedAgent(loaded);
    expect(agent.grantedPermissions).toEqual(['math', 'http']);
    const back = (await agents.findById(TENANT, agent.id))!;
    expect(back.toState()).toEqual({ ...agent.toState(), revision: 1 });
    expect(await eventsOf(definition.id)).toEqual(['AgentDefinitionRegistered']);
    expect(await eventsOf(agent.id)).toEqual(['AgentCreated', 'AgentBecameIdle']);
  });

  it('writes neither the agent nor its events when the transaction fails', async () => {
    const definition = await stored('rolled-back');
    const id = newId();
    await expect(
      tx.withTransaction(async () => {
        await agents.insert(Agent.instantiate(definition, { id }, new Date()));
        throw new Error('later step failed');
      }),
    ).rejects.toThrow('later step');
    expect(await agents.findById(TENANT, id)).toBeNull();
    expect(await eventsOf(id)).toEqual([]);
  });

  it('refuses a duplicate (tenant, name, version), allows it in another tenant or after a delete', async () => {
    const first = await stored('dup');
    await expect(tx.withTransaction(() => definitions.insert(define('dup')))).rejects.toMatchObject({ code: 'AGENT_DEFINITION_EXISTS' });
    await tx.withTransaction(() => definitions.insert(define('dup', OTHER)));
    first.markDeleted(new Date());
    await tx.withTransaction(() => definitions.delete(first));
    expect(await definitions.findById(TENANT, first.id)).toBeNull();
    await tx.withTransaction(() => definitions.insert(define('dup')));
    expect(await eventsOf(first.id)).toEqual(['AgentDefinitionRegistered', 'AgentDefinitionDeleted']);
  });

  it('refuses stale writes of definitions and agents (optimistic concurrency)', async () => {
    const definition = await stored('stale');
    const a = (await definitions.findById(TENANT, definition.id))!;
    const b = (await definitions.findById(TENANT, definition.id))!;
    a.update({ role: 'critic' }, rules, new Date());
    await tx.withTransaction(() => definitions.update(a));
    b.update({ role: 'planner' }, rules, new Date());
    await expect(tx.withTransaction(() => definitions.update(b))).rejects.toMatchObject({ code: 'CONCURRENT_MODIFICATION' });
    expect((await definitions.findById(TENANT, definition.id))!.toView()).toMatchObject({ role: 'critic', revision: 2 });

    const agent = await storedAgent(definition);
    const x = (await agents.findById(TENANT, agent.id))!;
    const y = (await agents.findById(TENANT, agent.id))!;
    x.assign(TASK, new Date());
    await tx.withTransaction(() => agents.update(x));
    y.terminate('late', new Date());
    await expect(tx.withTransaction(() => agents.update(y))).rejects.toMatchObject({ code: 'CONCURRENT_MODIFICATION' });
    expect((await agents.findById(TENANT, agent.id))!.toView()).toMatchObject({ status: 'assigned', currentTaskId: TASK, revision: 2 });
  });

  it('leaves usage to the ledger on update, except right after a budget reset', async () => {
    const agent = await storedAgent(await stored('usage'));
    const loaded = (await agents.findById(TENANT, agent.id))!;
    const commands = m.moduleRef.get(CommandBus);
    await commands.execute(new RecordAgentUsageCommand(TENANT, agent.id, { kind: 'model_call', name: 'echo', tokensIn: 10, tokensOut: 5, costUsd: 0.001, durationMs: 250, taskId: TASK, runId: RUN }));
    loaded.assign(TASK, new Date());
    await tx.withTransaction(() => agents.update(loaded));
    // The aggregate loaded before the recording had zero usage; the row keeps the ledger's totals and the aggregate learns them.
    expect(loaded.budgetUsage).toEqual({ tokensUsed: 15, costUsd: 0.001, timeSeconds: 0.25, toolExecutions: 0 });
    expect((await agents.findById(TENANT, agent.id))!.budgetUsage).toEqual({ tokensUsed: 15, costUsd: 0.001, timeSeconds: 0.25, toolExecutions: 0 });

    loaded.resetBudget({ maxTokens: 77 }, new Date());
    await tx.withTransaction(() => agents.update(loaded));
    const reset = (await agents.findById(TENANT, agent.id))!;
    expect([reset.budgetUsage, reset.budgetLimits.maxTokens, reset.budgetWasReset]).toEqual([{ tokensUsed: 0, costUsd: 0, timeSeconds: 0, toolExecutions: 0 }, 77, false]);
  });

  it('lists with filters after a keyset id, counts live agents per definition, and treats malformed ids as not found', async () => {
    const planner = await stored('list-planner', { role: 'planner' });
    const critic = await stored('list-critic', { role: 'list_critic' });
    const p1 = await storedAgent(planner);
    const p2 = await storedAgent(planner);
    const c1 = await storedAgent(critic);
    p2.terminate('done', new Date());
    await tx.withTransaction(() => agents.update(p2));

    expect((await agents.list(TENANT, { definitionId: planner.id, limit: 10 })).map((a) => a.id)).toEqual([p1.id, p2.id]);
    expect((await agents.list(TENANT, { definitionId: planner.id, limit: 10, afterId: p1.id })).map((a) => a.id)).toEqual([p2.id]);
    expect((await agents.list(TENANT, { role: 'list_critic', limit: 10 })).map((a) => a.id)).toEqual([c1.id]);
    expect((await agents.list(TENANT, { status: 'terminated', definitionId: planner.id, limit: 10 })).map((a) => a.id)).toEqual([p2.id]);
    expect(await agents.list(OTHER, { limit: 10 })).toEqual([]);
    expect(await agents.list(TENANT, { definitionId: 'nope', limit: 10 })).toEqual([]);
    expect(await agents.countLiveByDefinition(TENANT, planner.id)).toBe(1);
    expect((await definitions.list(TENANT, { role: 'list_critic', limit: 10 })).map((d) => d.id)).toEqual([critic.id]);
    expect((await definitions.list(TENANT, { name: 'list-planner', limit: 10 })).map((d) => d.id)).toEqual([planner.id]);

    expect(await agents.findById(TENANT, 'not-a-uuid')).toBeNull();
    expect(await definitions.findById(TENANT, 'not-a-uuid')).toBeNull();
    expect(await agents.findById(OTHER, p1.id)).toBeNull();
  });

  it('delete and instantiate cannot race past each other: the definition row is locked', async () => {
    const definition = await stored('race');
    const commands = m.moduleRef.get(CommandBus);
    const outcomes = await Promise.allSettled([
      commands.execute(new InstantiateAgentCommand(TENANT, definition.id)),
      commands.execute(new DeleteAgentDefinitionCommand(TENANT, definition.id)),
    ]);
    const [instantiated, deleted] = outcomes;
    const live = await agents.countLiveByDefinition(TENANT, definition.id);
    const stillThere = await definitions.findById(TENANT, definition.id);
    // Either the agent exists and the delete was refused, or the definition is gone and no agent was made.
    if (instantiated.status === 'fulfilled') {
      expect(deleted).toMatchObject({ status: 'rejected', reason: { code: 'AGENT_DEFINITION_IN_USE' } });
      expect([live, !!stillThere]).toEqual([1, true]);
    } else {
      expect(instantiated.reason).toMatchObject({ code: 'AGENT_DEFINITION_NOT_FOUND' });
      expect([deleted.status, live, stillThere]).toEqual(['fulfilled', 0, null]);
    }
  });
});
