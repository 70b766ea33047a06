import { Injectable } from '@nestjs/common';
import { StepContext, StepHandler, StepType } from '../contracts';

/** `transform`: the output is the step's `output` param, templates rendered. */
@Injectable()
@StepType('transform')
export class TransformStepType implements StepHandler {
  async execute(context: StepContext): Promise<unknown> {
    return context.params.output ?? null;
  }
}
