import { Injectable } from '@nestjs/common';
import { NonRetryableStepError, StepContext, StepHandler, StepOutcome, StepType } from '../contracts';

/** Params of `delay`: `seconds` (≥ 0) or `until` (an ISO time); with both, `seconds` wins. */
export const DELAY_PARAMS = {
  type: 'object',
  properties: {
    seconds: { type: 'number', minimum: 0, description: 'How long to wait' },
    until: { type: 'string', format: 'date-time', description: 'When to fire (ISO-8601)' },
  },
  anyOf: [{ required: ['seconds'] }, { required: ['until'] }],
  additionalProperties: false,
};

/** `delay`: a durable timer (`seconds` or `until`); no worker is held while it waits. Output `{firedAt}`. */
@Injectable()
@StepType('delay', { params: DELAY_PARAMS })
export class DelayStepType implements StepHandler {
  async execute(context: StepContext): Promise<unknown> {
    if (context.resume) return { firedAt: new Date().toISOString() };
    const { seconds, until } = context.params;
    let at: Date;
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) at = new Date(Date.now() + seconds * 1000);
    else if (typeof until === 'string' && !Number.isNaN(Date.parse(until))) at = new Date(until);
    else throw new NonRetryableStepError('INVALID_PARAMS', 'delay needs `seconds` (a number ≥ 0) or `until` (an ISO time)');
    if (at.getTime() <= Date.now()) return { firedAt: new Date().toISOString() };
    return StepOutcome.wait({ kind: 'timer', until: at });
  }
}
