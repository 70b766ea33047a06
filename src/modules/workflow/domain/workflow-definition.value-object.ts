import type { ScheduleDefinition, StepDefinition, WorkflowAnalysis } from '../contracts/workflow.types';
import { describe, isRecordLike, readJsonObject, readOptionalString, readString } from './field-checks';
import { inputSchemaProblems } from '@cognition/platform/json-schema/json-schema';
import type { ProblemList } from './problem-list';
import { Schedule, type ScheduleInput } from './schedule.value-object';
import type { StepTypeRegistry } from './step-type-registry';
import { Step, type StepInput } from './step.value-object';
import { WorkflowDag } from './workflow-dag';

/** The editable part of a workflow version, as a client sends it (checked at runtime). */
export interface WorkflowDefinitionInput {
  name: string;
  description?: string | null;
  steps: ReadonlyArray<StepInput | Record<string, unknown>>;
  schedule?: ScheduleInput | null;
  tags?: string[];
  inputSchema?: Record<string, unknown> | null;
  outputs?: Record<string, unknown> | null;
}

export interface WorkflowDefinitionProps {
  name: string;
  description: string | null;
  steps: StepDefinition[];
  schedule: ScheduleDefinition | null;
  tags: string[];
  inputSchema: Record<string, unknown> | null;
  outputs: Record<string, unknown> | null;
}

const MAX_TAGS = 50;

/** Everything about a workflow version except its identity and lifecycle. Immutable. */
export class WorkflowDefinition {
  private constructor(
    private readonly props: WorkflowDefinitionProps,
    readonly steps: readonly Step[],
  ) {}

  /**
   * Validates client input, adding every field and DAG problem to `problems`. Always returns a
   * best-effort definition; the caller throws when `problems` is not empty.
   */
  static fromInput(input: unknown, stepTypes: StepTypeRegistry, problems: ProblemList): WorkflowDefinition {
    const data = isRecordLike(input) ? input : {};
    if (!isRecordLike(input)) problems.add('', 'INVALID_TYPE', `the workflow must be an object, got ${describe(input)}`);

    let name = '';
    if (data.name === undefined || data.name === null) problems.add('name', 'REQUIRED', 'is required');
    else name = readString(data.name, 'name', problems, { min: 1, max: 255 }) ?? '';
    const description = readOptionalString(data.description, 'description', problems, { max: 10_000 });

    const steps: Step[] = [];
    const stepPaths: string[] = [];
    if (data.steps === undefined || data.steps === null) problems.add('steps', 'REQUIRED', 'is required');
    else if (!Array.isArray(data.steps)) problems.add('steps', 'INVALID_TYPE', `must be an array, got ${describe(data.steps)}`);
    else {
      data.steps.forEach((raw, i) => {
        const step = Step.fromInput(raw, `steps[${i}]`, problems);
        if (step) {
          steps.push(step);
          stepPaths.push(`steps[${i}]`);
        }
      });
    }

    const schedule = Schedule.fromInput(data.schedule, 'schedule', problems);
    const tags = WorkflowDefinition.readTags(data.tags, problems);

    let inputSchema: Record<string, unknown> | null = null;
    if (data.inputSchema !== undefined && data.inputSchema !== null) {
      const messages = inputSchemaProblems(data.inputSchema);
      for (const message of messages) problems.add('inputSchema', 'INVALID_SCHEMA', message);
      if (messages.length === 0) inputSchema = structuredClone(data.inputSchema as Record<string, unknown>);
    }

    let outputs: Record<string, unknown> | null = null;
    if (data.outputs !== undefined && data.outputs !== null) {
      outputs = readJsonObject(data.outputs, 'outputs', problems) ?? null;
      for (const key of Object.keys(outputs ?? {})) {
        if (key.length === 0 || key.length > 255) problems.add('outputs', 'INVALID_FORMAT', 'output names have 1-255 characters');
      }
    }

    const definitions = steps.map((step) => step.toDefinition());
    const dagProblems = WorkflowDag.validate(definitions, { stepTypes, outputs, stepPaths });
    const stepsReported = problems.toArray().some((p) => p.path === 'steps');
    problems.addAll(dagProblems.filter((p) => !(stepsReported && p.code === 'NO_STEPS')));
    return new WorkflowDefinition(
      { name, description, steps: definitions, schedule: schedule?.toDefinition() ?? null, tags, inputSchema, outputs },
      steps,
    );
  }

  private static readTags(value: unknown, problems: ProblemList): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      problems.add('tags', 'INVALID_TYPE', `must be an array of strings, got ${describe(value)}`);
      return [];
    }
    if (value.length > MAX_TAGS) problems.add('tags', 'OUT_OF_RANGE', `at most ${MAX_TAGS} tags, got ${value.length}`);
    const tags: string[] = [];
    value.forEach((tag, i) => {
      const text = readString(tag, `tags[${i}]`, problems, { min: 1, max: 100 });
      if (text === undefined) return;
      if (tags.includes(text)) problems.add(`tags[${i}]`, 'DUPLICATE', `tag "${text}" is listed twice`);
      else tags.push(text);
    });
    return tags;
  }

  static restore(props: WorkflowDefinitionProps): WorkflowDefinition {
    const copy = structuredClone(props);
    return new WorkflowDefinition(copy, copy.steps.map((step) => Step.restore(step)));
  }

  get name(): string {
    return this.props.name;
  }

  get description(): string | null {
    return this.props.description;
  }

  get schedule(): ScheduleDefinition | null {
    return this.props.schedule ? { ...this.props.schedule } : null;
  }

  get tags(): readonly string[] {
    return this.props.tags;
  }

  get inputSchema(): Record<string, unknown> | null {
    return this.props.inputSchema ? structuredClone(this.props.inputSchema) : null;
  }

  get outputs(): Record<string, unknown> | null {
    return this.props.outputs ? structuredClone(this.props.outputs) : null;
  }

  analyze(): WorkflowAnalysis {
    return WorkflowDag.analyze(this.props.steps);
  }

  /** A deep, plain copy. */
  toProps(): WorkflowDefinitionProps {
    return structuredClone(this.props);
  }
}

