import { inputSchemaProblems } from '@cognition/platform/json-schema/json-schema';
import { describe, isJsonValue } from '@cognition/platform/json-schema/json-values';
import { isPlainObject } from '@cognition/platform/expressions';
import { isUuid } from '@cognition/platform/ids/uuid';
import { TASK_PRIORITIES, type NewTask, type TaskPriority } from '../contracts/task.types';
import type { TaskProblemList } from './task-problem-list';

export const TASK_LIMITS = {
  name: 200,
  description: 100_000,
  capabilities: 50,
  capability: 100,
  dependencies: 100,
  dependency: 100,
  role: 100,
  externalId: 255,
  maxAttempts: { min: 1, max: 100 },
} as const;

export const DEFAULT_PRIORITY: TaskPriority = 'medium';
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * What a client asked for, checked and with defaults applied. `dependencies` are still the raw
 * strings (task ids or refs of a batch); TaskBatch resolves them.
 */
export interface TaskSpec {
  name: string;
  description: string | null;
  priority: TaskPriority;
  requiredCapabilities: string[];
  preferredRole: string | null;
  agentDefinitionId: string | null;
  dependencies: string[];
  input: unknown;
  outputSchema: Record<string, unknown> | null;
  maxAttempts: number;
  userId: string | null;
  sessionId: string | null;
  goalId: string | null;
  workflowExecutionId: string | null;
  stepExecutionId: string | null;
}

/** Reads one NewTask, reporting every problem under `prefix` (e.g. `tasks[2].`); undefined when invalid. */
export function readTaskSpec(raw: unknown, problems: TaskProblemList, prefix = ''): TaskSpec | undefined {
  const before = problems.size;
  if (!isRecord(raw)) {
    problems.add(prefix.replace(/\.$/, '') || '(root)', 'INVALID_TYPE', `must be an object, got ${describe(raw)}`);
    return undefined;
  }
  const t = raw as Partial<Record<keyof NewTask, unknown>>;
  const r = new Reader(problems, prefix);
  const spec: TaskSpec = {
    name: r.string('name', t.name, TASK_LIMITS.name, true) ?? '',
    description: r.string('description', t.description, TASK_LIMITS.description, false),
    priority: r.priority(t.priority),
    requiredCapabilities: r.uniqueStrings('requiredCapabilities', t.requiredCapabilities, TASK_LIMITS.capabilities, TASK_LIMITS.capability),
    preferredRole: r.string('preferredRole', t.preferredRole, TASK_LIMITS.role, false),
    agentDefinitionId: r.uuid('agentDefinitionId', t.agentDefinitionId),
    dependencies: r.uniqueStrings('dependencies', t.dependencies, TASK_LIMITS.dependencies, TASK_LIMITS.dependency),
    input: r.json('input', t.input),
    outputSchema: r.schema('outputSchema', t.outputSchema),
    maxAttempts: r.maxAttempts(t.maxAttempts),
    userId: r.string('userId', t.userId, TASK_LIMITS.externalId, false),
    sessionId: r.string('sessionId', t.sessionId, TASK_LIMITS.externalId, false),
    goalId: r.string('goalId', t.goalId, TASK_LIMITS.externalId, false),
    workflowExecutionId: r.uuid('workflowExecutionId', t.workflowExecutionId),
    stepExecutionId: r.uuid('stepExecutionId', t.stepExecutionId),
  };
  return problems.size === before ? spec : undefined;
}

/** A plain object or a class instance with fields (a validated request DTO). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  constructor(
    private readonly problems: TaskProblemList,
    private readonly prefix: string,
  ) {}

  private add(path: string, code: string, message: string): void {
    this.problems.add(`${this.prefix}${path}`, code, message);
  }

  /** A string of 1..max characters (not blank); absent (undefined/null) gives null unless required. */
  string(path: string, value: unknown, max: number, required: boolean): string | null {
    if (value === undefined || value === null) {
      if (required) this.add(path, 'REQUIRED', 'is required');
      return null;
    }
    if (typeof value !== 'string') {
      this.add(path, 'INVALID_TYPE', `must be a string, got ${describe(value)}`);
      return null;
    }
    if (value.trim().length === 0) {
      this.add(path, 'REQUIRED', 'must not be empty');
      return null;
    }
    if (value.length > max) {
      this.add(path, 'OUT_OF_RANGE', `must have at most ${max} characters, got ${value.length}`);
      return null;
    }
    return value;
  }

  priority(value: unknown): TaskPriority {
    if (value === undefined || value === null) return DEFAULT_PRIORITY;
    if (typeof value === 'string' && (TASK_PRIORITIES as readonly string[]).includes(value)) return value as TaskPriority;
    this.add('priority', 'INVALID_VALUE', `must be one of ${TASK_PRIORITIES.join(', ')}, got ${JSON.stringify(value) ?? describe(value)}`);
    return DEFAULT_PRIORITY;
  }

  maxAttempts(value: unknown): number {
    if (value === undefined || value === null) return DEFAULT_MAX_ATTEMPTS;
    const { min, max } = TASK_LIMITS.maxAttempts;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.add('maxAttempts', 'INVALID_TYPE', `must be an integer, got ${typeof value === 'number' ? value : describe(value)}`);
    } else if (value < min || value > max) {
      this.add('maxAttempts', 'OUT_OF_RANGE', `must be between ${min} and ${max}, got ${value}`);
    } else return value;
    return DEFAULT_MAX_ATTEMPTS;
  }

  /** An array of distinct non-blank strings; absent gives []. */
  uniqueStrings(path: string, value: unknown, maxItems: number, maxLength: number): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.add(path, 'INVALID_TYPE', `must be an array of strings, got ${describe(value)}`);
      return [];
    }
    if (value.length > maxItems) this.add(path, 'OUT_OF_RANGE', `must have at most ${maxItems} items, got ${value.length}`);
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const at = `${path}[${i}]`;
      if (typeof item !== 'string') this.add(at, 'INVALID_TYPE', `must be a string, got ${describe(item)}`);
      else if (item.trim().length === 0) this.add(at, 'REQUIRED', 'must not be empty');
      else if (item.length > maxLength) this.add(at, 'OUT_OF_RANGE', `must have at most ${maxLength} characters, got ${item.length}`);
      else if (seen.has(item)) this.add(at, 'DUPLICATE', `${JSON.stringify(item)} is listed twice`);
      else seen.add(item);
    });
    return [...seen];
  }

  uuid(path: string, value: unknown): string | null {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || !isUuid(value)) {
      this.add(path, 'INVALID_FORMAT', `must be a UUID, got ${typeof value === 'string' ? JSON.stringify(value) : describe(value)}`);
      return null;
    }
    return value.toLowerCase();
  }

  json(path: string, value: unknown): unknown {
    if (value === undefined) return null;
    if (!isJsonValue(value)) {
      this.add(path, 'INVALID_TYPE', 'must contain only JSON values (at most 64 levels deep)');
      return null;
    }
    return structuredClone(value);
  }

  /** A JSON Schema that ajv compiles (draft 2020-12, or draft-07 when `$schema` names it). */
  schema(path: string, value: unknown): Record<string, unknown> | null {
    if (value === undefined || value === null) return null;
    if (!isPlainObject(value)) {
      this.add(path, 'INVALID_TYPE', `must be a JSON Schema object, got ${describe(value)}`);
      return null;
    }
    const messages = inputSchemaProblems(value);
    for (const message of messages) this.add(path, 'INVALID_SCHEMA', message);
    return messages.length ? null : structuredClone(value);
  }
}
