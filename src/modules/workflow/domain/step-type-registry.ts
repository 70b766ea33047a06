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
}

/** A fixed set of step types; by default the built-ins. */
export class StaticStepTypeRegistry implements StepTypeRegistry {
  private readonly types: ReadonlySet<string>;

  constructor(types: Iterable<string> = BUILT_IN_STEP_TYPES) {
    this.types = new Set(types);
  }

  has(type: string): boolean {
    return this.types.has(type);
  }

  list(): string[] {
    return [...this.types].sort();
  }
}
