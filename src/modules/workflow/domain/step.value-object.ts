import type { StepDefinition } from '../contracts/workflow.types';
import { describe, isRecordLike, readInteger, readJsonObject, readOptionalString, readString } from './field-checks';
import type { ProblemList } from './problem-list';
import { RetryPolicy, type RetryPolicyInput } from './retry-policy.value-object';
import { StepId } from './step-id.value-object';

/**
 * A step as a client sends it; absent optional fields take their defaults. Typed loosely on
 * purpose: the domain checks every field at runtime and lists each problem.
 */
export interface StepInput {
  id?: string;
  type?: string;
  name?: string;
  params?: Record<string, unknown>;
  dependsOn?: string[];
  timeoutSeconds?: number;
  retry?: RetryPolicyInput | null;
  condition?: string | null;
  forEach?: string | null;
  agentRole?: string | null;
  concurrencyKey?: string | null;
}

export const DEFAULT_STEP_TIMEOUT_SECONDS = 300;
/** One year: a running attempt never needs more; waiting steps do not count against it. */
export const MAX_STEP_TIMEOUT_SECONDS = 31_536_000;
const EXPRESSION_MAX_LENGTH = 10_000;

/**
 * One node of the workflow DAG. Checks its own fields only; the DAG rules (ids unique,
 * dependencies exist, no cycles, expressions and references valid, type registered) belong to
 * WorkflowDag.
 */
export class Step {
  private constructor(
    private readonly definition: StepDefinition,
    readonly retry: RetryPolicy,
  ) {}

  /**
   * Validates client input, reporting every field problem under `path` (e.g. `steps[2]`).
   * Returns null only when the input is not an object at all; otherwise a best-effort step so the
   * DAG can still be checked.
   */
  static fromInput(input: unknown, path: string, problems: ProblemList): Step | null {
    if (!isRecordLike(input)) {
      problems.add(path, 'INVALID_TYPE', `a step must be an object, got ${describe(input)}`);
      return null;
    }
    let id = '';
    if (input.id === undefined || input.id === null || input.id === '') problems.add(`${path}.id`, 'REQUIRED', 'is required');
    else if (!StepId.isValid(input.id)) {
      problems.add(`${path}.id`, 'INVALID_FORMAT', StepId.formatMessage(input.id));
      if (typeof input.id === 'string') id = input.id;
    } else id = input.id;

    let type = '';
    if (input.type === undefined || input.type === null) problems.add(`${path}.type`, 'REQUIRED', 'is required');
    else type = readString(input.type, `${path}.type`, problems, { min: 1, max: 100 }) ?? '';

    const name = input.name === undefined || input.name === null
      ? id
      : (readString(input.name, `${path}.name`, problems, { min: 1, max: 255 }) ?? id);

    const params =
      input.params === undefined || input.params === null
        ? {}
        : (readJsonObject(input.params, `${path}.params`, problems) ?? {});

    const timeoutSeconds = input.timeoutSeconds === undefined
      ? DEFAULT_STEP_TIMEOUT_SECONDS
      : (readInteger(input.timeoutSeconds, `${path}.timeoutSeconds`, problems, { min: 1, max: MAX_STEP_TIMEOUT_SECONDS }) ??
        DEFAULT_STEP_TIMEOUT_SECONDS);

    const expression = (key: 'condition' | 'forEach' | 'concurrencyKey') =>
      readOptionalString(input[key], `${path}.${key}`, problems, { max: EXPRESSION_MAX_LENGTH });

    return new Step(
      {
        id,
        type,
        name,
        params,
        dependsOn: Step.readDependsOn(input.dependsOn, `${path}.dependsOn`, problems),
        timeoutSeconds,
        retry: RetryPolicy.DEFAULTS,
        condition: expression('condition'),
        forEach: expression('forEach'),
        agentRole: readOptionalString(input.agentRole, `${path}.agentRole`, problems, { min: 1, max: 100 }),
        concurrencyKey: expression('concurrencyKey'),
      },
      RetryPolicy.fromInput(input.retry, `${path}.retry`, problems),
    );
  }

  private static readDependsOn(value: unknown, path: string, problems: ProblemList): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      problems.add(path, 'INVALID_TYPE', `must be an array of step ids, got ${describe(value)}`);
      return [];
    }
    const seen = new Set<string>();
    value.forEach((item, index) => {
      if (typeof item !== 'string') {
        problems.add(`${path}[${index}]`, 'INVALID_TYPE', `must be a step id string, got ${describe(item)}`);
      } else if (seen.has(item)) {
        problems.add(`${path}[${index}]`, 'DUPLICATE', `"${item}" is listed twice`);
      } else seen.add(item);
    });
    return [...seen];
  }

  static restore(definition: StepDefinition): Step {
    return new Step(structuredClone(definition), RetryPolicy.restore(definition.retry));
  }

  get id(): string {
    return this.definition.id;
  }

  get type(): string {
    return this.definition.type;
  }

  get name(): string {
    return this.definition.name;
  }

  get params(): Record<string, unknown> {
    return structuredClone(this.definition.params);
  }

  get dependsOn(): readonly string[] {
    return this.definition.dependsOn;
  }

  get timeoutSeconds(): number {
    return this.definition.timeoutSeconds;
  }

  get condition(): string | null {
    return this.definition.condition;
  }

  get forEach(): string | null {
    return this.definition.forEach;
  }

  get agentRole(): string | null {
    return this.definition.agentRole;
  }

  get concurrencyKey(): string | null {
    return this.definition.concurrencyKey;
  }

  /** A deep, plain copy. */
  toDefinition(): StepDefinition {
    return { ...structuredClone(this.definition), retry: this.retry.toDefinition() };
  }
}
