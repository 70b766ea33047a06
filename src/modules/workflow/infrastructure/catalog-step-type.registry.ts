import { Injectable } from '@nestjs/common';
import { StepTypeCatalog } from '@cognition/platform/step-types/step-type-catalog';
import { BUILT_IN_STEP_TYPES } from '../contracts';
import { ParamsProblem, StepTypeRegistry } from '../domain/step-type-registry';

/** Step types a definition may use: the built-in names of SPEC section 4 plus every type the engine discovered. */
@Injectable()
export class CatalogStepTypeRegistry implements StepTypeRegistry {
  private readonly builtIns = new Set<string>(BUILT_IN_STEP_TYPES);

  constructor(private readonly catalog: StepTypeCatalog) {}

  has(type: string): boolean {
    return this.builtIns.has(type) || this.catalog.has(type);
  }

  /** Checked against the params schema the type registered (SPEC section 4); a type without one takes any object. */
  paramsProblems(type: string, params: Record<string, unknown>): ParamsProblem[] {
    return this.catalog.validateParams(type, params);
  }

  list(): string[] {
    return [...new Set([...this.builtIns, ...this.catalog.list()])].sort();
  }
}
