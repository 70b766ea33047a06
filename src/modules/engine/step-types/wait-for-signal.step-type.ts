import { Injectable } from '@nestjs/common';
import { NonRetryableStepError, StepContext, StepHandler, StepOutcome, StepType } from '../contracts';

/**
 * `wait_for_signal`: waits (without a worker) for `POST /executions/{id}/signals/{signal}`; the
 * output is the signal's payload. With `timeoutSeconds`, fails with SIGNAL_TIMEOUT after that long.
 */
export const WAIT_FOR_SIGNAL_PARAMS = {
  type: 'object',
  required: ['signal'],
  properties: {
    signal: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: 'The name sent to POST /executions/{id}/signals/{name}' },
    timeoutSeconds: { type: 'number', exclusiveMinimum: 0, description: 'Fail with SIGNAL_TIMEOUT after this long' },
  },
  additionalProperties: false,
};

@Injectable()
@StepType('wait_for_signal', { params: WAIT_FOR_SIGNAL_PARAMS })
export class WaitForSignalStepType implements StepHandler {
  async execute(context: StepContext): Promise<unknown> {
    const { signal, timeoutSeconds } = context.params;
    if (typeof signal !== 'string' || !/^[A-Za-z0-9_.:-]{1,128}$/.test(signal)) {
      throw new NonRetryableStepError('INVALID_PARAMS', 'wait_for_signal needs `signal`: a name of 1–128 letters, digits, _ . : -');
    }
    if (context.resume?.reason === 'signal') return context.resume.payload ?? null;
    if (context.resume?.reason === 'timeout') throw new NonRetryableStepError('SIGNAL_TIMEOUT', `no signal "${signal}" within ${timeoutSeconds} s`);
    if (timeoutSeconds !== undefined && (typeof timeoutSeconds !== 'number' || timeoutSeconds <= 0)) {
      throw new NonRetryableStepError('INVALID_PARAMS', '`timeoutSeconds` must be a number > 0');
    }
    const until = typeof timeoutSeconds === 'number' ? new Date(Date.now() + timeoutSeconds * 1000) : undefined;
    return StepOutcome.wait({ kind: 'signal', key: signal, until });
  }
}
