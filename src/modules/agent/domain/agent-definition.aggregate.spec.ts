import { definitionInput, errorOf, registeredDefinition, rules, StaticToolCatalog, t0, t1, TENANT, testId } from '@cognition/test-support/mothers/agent.mother';
import type { AgentDefinitionInput } from '../contracts/agent.types';
import { AgentDefinition } from './agent-definition.aggregate';
import { DEFAULT_SYSTEM_PROMPT_TEMPLATE } from './prompt-template';

function register(overrides: Partial<AgentDefinitionInput> | Record<string, unknown> = {}, defaultProvider = 'echo') {
  return AgentDefinition.register({ id: testId(), tenantId: TENANT, definition: { ...definitionInput(), ...overrides } as AgentDefinitionInput }, { ...rules, defaultProvider }, t0);
}

describe('AgentDefinition', () => {
  it('fills the SPEC defaults and records AgentDefinitionRegistered', () => {
    const definition = AgentDefinition.register({ id: testId(), tenantId: TENANT, definition: { name: 'minimal', role: 'planner' } }, rules, t0);
    expect(definition.toView()).toEqual({
      id: definition.id,
      name: 'minimal',
      version: '1.0.0',
      role: 'planner',
      description: null,
      capabilities: [],
      tools: [],
      modelConfig: { provider: 'echo', model: 'echo', temperature: 0.7, maxTokens: 2000, topP: 1, fallback: null },
      defaultBudget: { maxTokens: 32000, maxCostUsd: 1, maxTimeSeconds: 300, maxToolExecutions: 10 },
      permissions: [],
      systemPromptTemplate: DEFAULT_SYSTEM_PROMPT_TEMPLATE,
      failureStrategy: 'retry',
      createdAt: t0.toISOString(),
      updatedAt: t0.toISOString(),
      revision: 0,
    });
    const [event] = definition.pullEvents();
    expect([event.type, event.aggregateType, event.aggregateId, event.payload]).toEqual([
      'AgentDefinitionRegistered',
      'AgentDefinition',
      definition.id,
      { definitionId: definition.id, name: 'minimal', version: '1.0.0', role: 'planner' },
    ]);
  });

  it('takes the provider from the deployment default and requires a model unless it is echo', () => {
    expect(register({ modelConfig: { model: 'gpt-4o-mini' } }, 'openai').modelConfig).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    const error = errorOf(() => register({ modelConfig: {} }, 'openai'));
    expect(error.errors).toEqual([{ path: 'modelConfig.model', code: 'REQUIRED', message: 'is required for provider openai' }]);
    expect(register({ modelConfig: { provider: 'echo' } }, 'anthropic').modelConfig.model).toBe('echo');
  });

  it('accepts a fallback model whose omitted settings come from the primary', () => {
    const definition = register({ modelConfig: { provider: 'openai', model: 'big', temperature: 0.2, maxTokens: 900, fallback: { model: 'small' } } });
    expect(definition.modelConfig.fallback).toEqual({ provider: 'openai', model: 'small', temperature: 0.2, maxTokens: 900, topP: 1 });
  });

  it('lists every problem in one VALIDATION_FAILED', () => {
    const error = errorOf(() =>
      register({
        name: 'Not A Slug',
        version: '1.0',
        role: 'Bad Role',
        capabilities: ['a', 'a', ''],
        modelConfig: { provider: 'nope', temperature: 3, maxTokens: 0, topP: 1.5, fallback: { provider: 'openai', temperature: -1 } },
        defaultBudget: { maxTokens: 0, maxCostUsd: 0, maxTimeSeconds: -5, maxToolExecutions: 2.5 },
        permissions: ['http', 'has space', 'http'],
        systemPromptTemplate: 'Hi ${{ agent.role',
        failureStrategy: 'panic',
        description: 42,
        extra: true,
      } as Record<string, unknown>),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.errors!.map((e) => e.path).sort()).toEqual(
      [
        'name',
        'version',
        'extra',
        'role',
        'description',
        'capabilities[1]',
        'capabilities[2]',
        'modelConfig.provider',
        'modelConfig.temperature',
        'modelConfig.maxTokens',
        'modelConfig.topP',
        'modelConfig.fallback.model',
        'modelConfig.fallback.temperature',
        'defaultBudget.maxTokens',
        'defaultBudget.maxCostUsd',
        'defaultBudget.maxTimeSeconds',
        'defaultBudget.maxToolExecutions',
        'permissions[1]',
        'permissions[2]',
        'systemPromptTemplate',
        'failureStrategy',
      ].sort(),
    );
    expect(error.message).toMatch(/^The agent definition has 21 problems: /);
  });

  it('refuses unknown tools with TOOL_NOT_FOUND naming the tool, listing the other problems too', () => {
    const only = errorOf(() => register({ tools: ['http_fetch', 'teleport'] }));
    expect(only.code).toBe('TOOL_NOT_FOUND');
    expect(only.errors).toEqual([{ path: 'tools[1]', code: 'TOOL_NOT_FOUND', message: 'no tool named "teleport" is registered; registered tools: calculator, http_fetch' }]);
    const mixed = errorOf(() => register({ tools: ['teleport'], role: '' }));
    expect(mixed.code).toBe('TOOL_NOT_FOUND');
    expect(mixed.errors!.map((e) => e.code)).toEqual(['INVALID_FORMAT', 'TOOL_NOT_FOUND']);
    const none = errorOf(() => AgentDefinition.register({ id: testId(), tenantId: TENANT, definition: definitionInput({ tools: ['x'] }) }, { tools: new StaticToolCatalog([]), defaultProvider: 'echo' }, t0));
    expect(none.errors![0].message).toBe('no tool named "x" is registered');
  });

  it.each([
    ['You are ${{ agent.role }} on ${{ task.name }}.', []],
    ['${{ task.input.items.map(i, i.name).join(", ") }}', []],
    ['Hi ${{ agent.role', ['unterminated']],
    ['${{ inputs.x }}', ['unknown variable "inputs"']],
    ['${{ agent.role + }}', ['cannot parse']],
    ['${{ "a" + 1 }}', ['type error']],
    ['${{ }}', ['empty']],
  ])('checks the prompt template %s', (template, expected) => {
    if (expected.length === 0) {
      expect(register({ systemPromptTemplate: template }).systemPromptTemplate).toBe(template);
      return;
    }
    const error = errorOf(() => register({ systemPromptTemplate: template }));
    expect(error.errors).toHaveLength(1);
    expect(error.errors![0]).toMatchObject({ path: 'systemPromptTemplate', code: 'INVALID_TEMPLATE' });
    expect(error.errors![0].message).toContain(expected[0]);
  });

  it('keeps the permissions granted to its agents and refuses a list that is not one of unique permissions', () => {
    expect(register({ permissions: ['http', 'destructive', 'fs:*'] }).toView().permissions).toEqual(['http', 'destructive', 'fs:*']);
    expect(register({ permissions: null } as Record<string, unknown>).permissions).toEqual([]);
    expect(errorOf(() => register({ permissions: 'http' } as Record<string, unknown>)).errors).toEqual([
      { path: 'permissions', code: 'INVALID_TYPE', message: 'must be an array of strings, got string "http"' },
    ]);
    expect(errorOf(() => register({ permissions: ['', 7] } as Record<string, unknown>)).errors!.map((e) => [e.path, e.code])).toEqual([
      ['permissions[0]', 'INVALID_FORMAT'],
      ['permissions[1]', 'INVALID_TYPE'],
    ]);
    expect(errorOf(() => register({ permissions: Array.from({ length: 101 }, (_, i) => `p${i}`) })).errors![0]).toMatchObject({ path: 'permissions', code: 'OUT_OF_RANGE' });
  });

  describe('update', () => {
    it('replaces every field but name and version and records AgentDefinitionUpdated', () => {
      const definition = registeredDefinition({ description: 'old', capabilities: ['a'], permissions: ['http'] });
      definition.update({ role: 'critic', tools: ['calculator'], failureStrategy: 'abort', permissions: ['math'] }, rules, t1);
      expect(definition.toView()).toMatchObject({
        name: 'ticket-summarizer',
        version: '1.0.0',
        role: 'critic',
        description: null,
        capabilities: [],
        tools: ['calculator'],
        permissions: ['math'],
        failureStrategy: 'abort',
        updatedAt: t1.toISOString(),
        createdAt: t0.toISOString(),
      });
      expect(definition.pullEvents().map((e) => e.type)).toEqual(['AgentDefinitionUpdated']);
      definition.update({ role: 'critic' }, rules, t1);
      expect(definition.permissions).toEqual([]);
    });

    it('refuses to change the name or the version', () => {
      const definition = registeredDefinition();
      const error = errorOf(() => definition.update({ name: 'other', version: '2.0.0', role: 'critic' }, rules, t1));
      expect(error.errors!.map((e) => [e.path, e.code])).toEqual([
        ['name', 'IMMUTABLE'],
        ['version', 'IMMUTABLE'],
      ]);
      expect(definition.role).toBe('summarizer');
      expect(definition.peekEvents()).toEqual([]);
      definition.update({ name: 'ticket-summarizer', version: '1.0.0', role: 'critic' }, rules, t1);
      expect(definition.role).toBe('critic');
    });
  });

  it('records AgentDefinitionDeleted', () => {
    const definition = registeredDefinition();
    definition.markDeleted(t1);
    expect(definition.pullEvents().map((e) => e.type)).toEqual(['AgentDefinitionDeleted']);
  });
});
