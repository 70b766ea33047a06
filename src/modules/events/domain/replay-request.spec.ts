import { replayFilterOf } from './replay-request';

const TYPES = new Set(['StepExecutionCompleted', 'WorkflowExecutionStarted']);
const refused = (code: string, path?: string) => expect.objectContaining({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ code, ...(path === undefined ? {} : { path }) })] });

describe('the filter of a replay', () => {
  it('takes exactly one of fromPosition, aggregateId and type', () => {
    expect(replayFilterOf({ fromPosition: 0 }, TYPES)).toEqual({ fromPosition: '0' });
    expect(replayFilterOf({ fromPosition: '0042' }, TYPES)).toEqual({ fromPosition: '42' });
    expect(replayFilterOf({ fromPosition: '9223372036854775807' }, TYPES)).toEqual({ fromPosition: '9223372036854775807' });
    expect(replayFilterOf({ aggregateId: 'exec-1' }, TYPES)).toEqual({ aggregateId: 'exec-1' });
    expect(replayFilterOf({ type: 'StepExecutionCompleted' }, TYPES)).toEqual({ type: 'StepExecutionCompleted' });
  });

  it('refuses none, two, and bad values with 422 VALIDATION_FAILED naming the problem', () => {
    expect(() => replayFilterOf({}, TYPES)).toThrow(refused('ONE_FILTER'));
    expect(() => replayFilterOf({ fromPosition: 0, type: 'StepExecutionCompleted' }, TYPES)).toThrow(refused('ONE_FILTER', 'type'));
    for (const fromPosition of [-1, 1.5, '1e3', '', ' 1', '9223372036854775808', Number.MAX_VALUE]) {
      expect(() => replayFilterOf({ fromPosition }, TYPES)).toThrow(refused('INVALID_POSITION', 'fromPosition'));
    }
    expect(() => replayFilterOf({ aggregateId: '' }, TYPES)).toThrow(refused('INVALID_VALUE', 'aggregateId'));
    expect(() => replayFilterOf({ aggregateId: 'x'.repeat(256) }, TYPES)).toThrow(refused('INVALID_VALUE', 'aggregateId'));
    expect(() => replayFilterOf({ type: 'TaskCreated' }, TYPES)).toThrow(refused('TYPE_NOT_HANDLED', 'type'));
  });
});
