import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NonRetryableStepError, StepContext, StepHandler, StepType } from 'cognition-os';

/** The app's own step type: its params are declared as JSON Schema, its greeting comes from the app's own config. */
@Injectable()
@StepType('greet', {
  params: {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: { name: { type: 'string', minLength: 1 }, shout: { type: 'boolean' } },
  },
})
export class GreetingStepType implements StepHandler {
  constructor(private readonly config: ConfigService) {}

  async execute(context: StepContext): Promise<unknown> {
    const greeting = this.config.get<string>('greeting');
    if (!greeting) throw new NonRetryableStepError('NO_GREETING', "the app's config has no greeting");
    const text = `${greeting}, ${String(context.params.name)}!`;
    return { text: context.params.shout ? text.toUpperCase() : text, attempt: context.attempt };
  }
}
