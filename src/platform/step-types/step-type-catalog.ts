import { Injectable } from '@nestjs/common';
import type { ValidateFunction } from 'ajv';
import { acceptExpressionsInside, compileParamsSchema, type JsonSchema, type ParamsProblem, paramsProblems } from '@cognition/platform/json-schema/params-schema';

/** The params of a step type that declares no schema: any object. */
export const ANY_PARAMS: JsonSchema = { type: 'object', additionalProperties: true };

interface Entry {
  /** The declared schema with `${{ … }}` strings accepted at every value position: what is validated and published. */
  schema: JsonSchema;
  validate: ValidateFunction | null;
}

/**
 * The step types this process can run, each with the JSON Schema of its params. The engine adds
 * every discovered `@StepType` at start; the workflow module validates definitions against it, and
 * the OpenAPI document publishes one step schema per type (see step-types.openapi.ts).
 */
@Injectable()
export class StepTypeCatalog {
  private readonly entries = new Map<string, Entry>();

  /**
   * Registers a step type. `params` is the JSON Schema of its rendered params (an object schema);
   * without one the type takes any object. Throws when the schema is not a valid JSON Schema.
   */
  add(name: string, params?: JsonSchema): void {
    if (!params) {
      this.entries.set(name, { schema: ANY_PARAMS, validate: null });
      return;
    }
    if (params.type !== undefined && params.type !== 'object') throw new Error(`The params schema of step type "${name}" must describe an object (type: 'object')`);
    const schema = acceptExpressionsInside({ type: 'object', ...params });
    this.entries.set(name, { schema, validate: compileParamsSchema(name, schema) });
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  list(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** The published params schema of a type (a deep copy), or undefined for an unknown type. */
  paramsSchema(name: string): JsonSchema | undefined {
    const entry = this.entries.get(name);
    return entry ? structuredClone(entry.schema) : undefined;
  }

  /** Problems of `params` for a type (JSON pointers inside the params); none for unknown types or types without a schema. */
  validateParams(name: string, params: unknown): ParamsProblem[] {
    const validate = this.entries.get(name)?.validate;
    return validate ? paramsProblems(validate, params) : [];
  }
}
