export const STEP_TYPE = 'cognitionos:step-type';

/** Marks a provider implementing StepHandler as the handler of a step type (discovered at start). */
export function StepType(name: string): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(STEP_TYPE, name, target);
  };
}
