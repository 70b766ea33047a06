import { AggregateRoot } from '@cognition/platform/domain';
import { AgentDefinitionDeleted, AgentDefinitionRegistered, AgentDefinitionUpdated } from '../contracts/agent.events';
import {
  FAILURE_STRATEGIES,
  type AgentDefinitionInput,
  type AgentDefinitionView,
  type Budget,
  type FailureStrategy,
  type ModelConfig,
} from '../contracts/agent.types';
import { DEFAULT_BUDGET, readBudget } from './budget';
import { readModelConfig } from './model-config';
import { readPermissions } from './permissions';
import { describe, Problems, readPattern, readUniqueStrings } from './problems';
import { DEFAULT_SYSTEM_PROMPT_TEMPLATE, MAX_PROMPT_TEMPLATE_LENGTH, promptTemplateProblems } from './prompt-template';
import type { ToolCatalog } from './tool-catalog.port';

export const DEFINITION_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;
export const ROLE_PATTERN = /^[a-z0-9_-]{1,64}$/;
export const SEMVER_PATTERN = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;
const CAPABILITY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const INPUT_KEYS = new Set(['name', 'version', 'role', 'description', 'capabilities', 'tools', 'modelConfig', 'defaultBudget', 'permissions', 'systemPromptTemplate', 'failureStrategy']);

/** What registration and update need besides the input. */
export interface DefinitionRules {
  tools: ToolCatalog;
  /** The deployment's MODEL_PROVIDER: the provider when the input names none. */
  defaultProvider: string;
}

export interface AgentDefinitionState {
  id: string;
  tenantId: string;
  name: string;
  version: string;
  role: string;
  description: string | null;
  capabilities: string[];
  tools: string[];
  modelConfig: ModelConfig;
  defaultBudget: Budget;
  /** Granted to every agent instantiated from this definition. */
  permissions: string[];
  systemPromptTemplate: string;
  failureStrategy: FailureStrategy;
  createdAt: Date;
  updatedAt: Date;
  /** Optimistic concurrency (0 until first stored). */
  revision: number;
}

type Fields = Omit<AgentDefinitionState, 'id' | 'tenantId' | 'name' | 'version' | 'createdAt' | 'updatedAt' | 'revision'>;

/**
 * A template for agents, unique per (tenant, name, version). Registration fills the SPEC defaults
 * and checks every field at once (one 422 listing every problem). Name and version never change;
 * an update replaces every other field (agents already instantiated keep their copied config).
 */
export class AgentDefinition extends AggregateRoot {
  private constructor(private state: AgentDefinitionState) {
    super();
  }

  static register(
    input: { id: string; tenantId: string; definition: AgentDefinitionInput },
    rules: DefinitionRules,
    now: Date,
  ): AgentDefinition {
    const problems = new Problems();
    const raw = (input.definition ?? {}) as unknown as Record<string, unknown>;
    const name = readPattern(raw.name, 'name', problems, DEFINITION_NAME_PATTERN, 'a slug of 1–128 characters: lowercase letters, digits, . _ - (starting with a letter or digit)');
    const version =
      raw.version === undefined || raw.version === null ? '1.0.0' : readPattern(raw.version, 'version', problems, SEMVER_PATTERN, 'a semver MAJOR.MINOR.PATCH, e.g. 1.0.0');
    const fields = readFields(raw, rules, problems);
    problems.throwIfAny('agent definition');
    const definition = new AgentDefinition({
      id: input.id,
      tenantId: input.tenantId,
      name: name as string,
      version: version as string,
      ...fields,
      createdAt: now,
      updatedAt: now,
      revision: 0,
    });
    definition.record(new AgentDefinitionRegistered(definition.tenantId, definition.id, definition.eventPayload(), now));
    return definition;
  }

  /** Rebuilds a stored definition (no validation, no events). */
  static restore(state: AgentDefinitionState): AgentDefinition {
    return new AgentDefinition(structuredClone(state));
  }

  get id(): string {
    return this.state.id;
  }
  get tenantId(): string {
    return this.state.tenantId;
  }
  get name(): string {
    return this.state.name;
  }
  get version(): string {
    return this.state.version;
  }
  get role(): string {
    return this.state.role;
  }
  get description(): string | null {
    return this.state.description;
  }
  get capabilities(): string[] {
    return [...this.state.capabilities];
  }
  get tools(): string[] {
    return [...this.state.tools];
  }
  get modelConfig(): ModelConfig {
    return structuredClone(this.state.modelConfig);
  }
  get defaultBudget(): Budget {
    return { ...this.state.defaultBudget };
  }
  get permissions(): string[] {
    return [...this.state.permissions];
  }
  get systemPromptTemplate(): string {
    return this.state.systemPromptTemplate;
  }
  get failureStrategy(): FailureStrategy {
    return this.state.failureStrategy;
  }
  get revision(): number {
    return this.state.revision;
  }

  /**
   * Replaces every field but name and version (which, when given, must equal the stored ones).
   * Same checks and defaults as registration. Records AgentDefinitionUpdated.
   */
  update(definition: Partial<AgentDefinitionInput>, rules: DefinitionRules, now: Date): void {
    const problems = new Problems();
    const raw = (definition ?? {}) as unknown as Record<string, unknown>;
    if (raw.name !== undefined && raw.name !== this.state.name) {
      problems.add('name', 'IMMUTABLE', `cannot change (is ${JSON.stringify(this.state.name)}); register a new definition instead`);
    }
    if (raw.version !== undefined && raw.version !== this.state.version) {
      problems.add('version', 'IMMUTABLE', `cannot change (is ${this.state.version}); register a new version instead`);
    }
    const fields = readFields(raw, rules, problems);
    problems.throwIfAny('agent definition');
    this.state = { ...this.state, ...fields, updatedAt: now };
    this.record(new AgentDefinitionUpdated(this.tenantId, this.id, this.eventPayload(), now));
  }

  /** Records AgentDefinitionDeleted; the handler checks no live agent uses it, the repository removes it. */
  markDeleted(now: Date): void {
    this.state = { ...this.state, updatedAt: now };
    this.record(new AgentDefinitionDeleted(this.tenantId, this.id, this.eventPayload(), now));
  }

  /** Called by repositories after a successful write with the stored revision. */
  markPersisted(revision: number): void {
    this.state = { ...this.state, revision };
  }

  toState(): AgentDefinitionState {
    return structuredClone(this.state);
  }

  toView(): AgentDefinitionView {
    const s = this.state;
    return {
      id: s.id,
      name: s.name,
      version: s.version,
      role: s.role,
      description: s.description,
      capabilities: [...s.capabilities],
      tools: [...s.tools],
      modelConfig: structuredClone(s.modelConfig),
      defaultBudget: { ...s.defaultBudget },
      permissions: [...s.permissions],
      systemPromptTemplate: s.systemPromptTemplate,
      failureStrategy: s.failureStrategy,
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
      revision: s.revision,
    };
  }

  private eventPayload() {
    return { definitionId: this.id, name: this.name, version: this.version, role: this.role };
  }
}

/** Every field but name and version, with SPEC defaults; problems go to `problems`. */
function readFields(raw: Record<string, unknown>, rules: DefinitionRules, problems: Problems): Fields {
  for (const key of Object.keys(raw)) {
    if (!INPUT_KEYS.has(key) && raw[key] !== undefined) problems.add(key, 'INVALID_VALUE', 'is not a field of an agent definition');
  }
  const role = readPattern(raw.role, 'role', problems, ROLE_PATTERN, 'planner, reasoner, executor, critic, summarizer or a custom role of 1–64 characters [a-z0-9_-]');

  let description: string | null = null;
  if (raw.description !== undefined && raw.description !== null) {
    if (typeof raw.description !== 'string') problems.add('description', 'INVALID_TYPE', `must be a string, got ${describe(raw.description)}`);
    else if (raw.description.length > 2000) problems.add('description', 'OUT_OF_RANGE', `must have at most 2000 characters, got ${raw.description.length}`);
    else description = raw.description;
  }

  const capabilities = readUniqueStrings(raw.capabilities, 'capabilities', problems, {
    maxItems: 100,
    item: (text, path) => readPattern(text, path, problems, CAPABILITY_PATTERN, 'a capability of 1–128 characters: letters, digits, . _ : / -') !== undefined,
  });
  const tools = readUniqueStrings(raw.tools, 'tools', problems, {
    maxItems: 100,
    item: (text, path) => {
      if (rules.tools.find(text)) return true;
      const known = rules.tools.names();
      problems.add(path, 'TOOL_NOT_FOUND', `no tool named ${JSON.stringify(text)} is registered${known.length ? `; registered tools: ${known.join(', ')}` : ''}`);
      return false;
    },
  });

  const modelConfig = readModelConfig(raw.modelConfig, rules.defaultProvider, problems);
  const defaultBudget = readBudget(raw.defaultBudget, { ...DEFAULT_BUDGET }, 'defaultBudget', problems);
  const permissions = readPermissions(raw.permissions, problems);

  let systemPromptTemplate = DEFAULT_SYSTEM_PROMPT_TEMPLATE;
  if (raw.systemPromptTemplate !== undefined && raw.systemPromptTemplate !== null) {
    const template = raw.systemPromptTemplate;
    if (typeof template !== 'string') problems.add('systemPromptTemplate', 'INVALID_TYPE', `must be a string, got ${describe(template)}`);
    else if (template.trim() === '') problems.add('systemPromptTemplate', 'REQUIRED', 'must not be empty');
    else if (template.length > MAX_PROMPT_TEMPLATE_LENGTH) problems.add('systemPromptTemplate', 'OUT_OF_RANGE', `must have at most ${MAX_PROMPT_TEMPLATE_LENGTH} characters, got ${template.length}`);
    else {
      const templateProblems = promptTemplateProblems(template);
      for (const message of templateProblems) problems.add('systemPromptTemplate', 'INVALID_TEMPLATE', message);
      if (templateProblems.length === 0) systemPromptTemplate = template;
    }
  }

  let failureStrategy: FailureStrategy = 'retry';
  if (raw.failureStrategy !== undefined && raw.failureStrategy !== null) {
    if (!(FAILURE_STRATEGIES as readonly unknown[]).includes(raw.failureStrategy)) {
      problems.add('failureStrategy', 'INVALID_VALUE', `must be one of ${FAILURE_STRATEGIES.join(', ')}, got ${describe(raw.failureStrategy)}`);
    } else failureStrategy = raw.failureStrategy as FailureStrategy;
  }

  return { role: role as string, description, capabilities, tools, modelConfig, defaultBudget, permissions, systemPromptTemplate, failureStrategy };
}
