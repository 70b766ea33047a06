export const STEP_TYPE = 'cognitionos:step-type';
export const STEP_TYPE_OPTIONS = 'cognitionos:step-type-options';

export interface StepTypeOptions {
  /**
   * JSON Schema (2020-12, or draft-07 with `$schema`) of the step's params as the handler receives
   * them, templates rendered. Definitions are validated against it when they are created or edited
   * (422 with a JSON pointer per problem), and the OpenAPI document publishes it in the step's
   * branch of the `type` union. A `${{ … }}` string is accepted wherever a value is, without saying
   * so here. Keep it self-contained (no `$ref`). Without a schema, params may be any object.
   */
  params?: Record<string, unknown>;
}

/**
 * Marks a provider implementing StepHandler as the handler of a step type (discovered at start):
 * `@StepType('send_email', { params: { type: 'object', required: ['to'], properties: { to: { type: 'string' } } } })`.
 */
export function StepType(name: string, options: StepTypeOptions = {}): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(STEP_TYPE, name, target);
    Reflect.defineMetadata(STEP_TYPE_OPTIONS, options, target);
  };
}
