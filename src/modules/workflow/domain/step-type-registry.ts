import { BUILT_IN_STEP_TYPES } from '../contracts/workflow.types';

export { BUILT_IN_STEP_TYPES };

/**
 * Port: which step types exist. The engine provides the real one (built-ins plus types that
 * Nest modules register); an abstract class so it can serve as a DI token, while any
 * `{has, list}` object satisfies it structurally.
 */
export abstract class StepTypeRegistry {
  abstract has(type: string): boolean;
  abstract list(): string[];
  /**
   * Problems of a step's params against its type's params schema, each with a JSON pointer inside
   * the params (`/url`; `''` for the params object). Optional: without it params are not checked.
   */
  paramsProblems?(type: string, params: Record<string, unknown>): ParamsProblem[];
}

/** One problem with a step's params: where (a JSON pointer inside the params) and what. */
export interface ParamsProblem {
  pointer: string;
  message: string;
}

export type ParamsCheck = (type: string, params: Record<string, unknown>) => ParamsProblem[];

/** A fixed set of step types; by default the built-ins. */
export class StaticStepTypeRegistry implements StepTypeRegistry {
  private readonly types: ReadonlySet<string>;

  constructor(
    types: Iterable<string> = BUILT_IN_STEP_TYPES,
    private readonly check: ParamsCheck = () => [],
  ) {
    this.types = new Set(types);
  }

  paramsProblems(type: string, params: Record<string, unknown>): ParamsProblem[] {
    return this.check(type, params);
  }

  has(type: string): boolean {
    return this.types.has(type);
  }

  list(): string[] {
    return [...this.types].sort();
  }
}
