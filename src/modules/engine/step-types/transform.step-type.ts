import { Injectable } from '@nestjs/common';
import { StepContext, StepHandler, StepType } from '../contracts';

/** Params of `transform`: `output`, any JSON (absent: null). */
export const TRANSFORM_PARAMS = {
  type: 'object',
  properties: { output: { description: 'Any JSON; its templates are rendered and it becomes the output' } },
  additionalProperties: false,
};

/** `transform`: the output is the step's `output` param, templates rendered. */
@Injectable()
@StepType('transform', { params: TRANSFORM_PARAMS })
export class TransformStepType implements StepHandler {
  async execute(context: StepContext): Promise<unknown> {
    return context.params.output ?? null;
  }
}
