import { appendPointer, pointerOf, ProblemList } from './problem-list';
import { StaticStepTypeRegistry } from './step-type-registry';
import { WorkflowDefinition } from './workflow-definition.value-object';

describe('step params at definition time', () => {
  const registry = new StaticStepTypeRegistry(['transform', 'shout'], (type, params) =>
    type === 'shout' && typeof params.text !== 'string' ? [{ pointer: '/text', message: 'is required' }] : [],
  );

  it('lists each params problem of a registered type with its path and JSON pointer (VALIDATION_FAILED)', () => {
    const problems = new ProblemList();
    WorkflowDefinition.fromInput({ name: 'w', steps: [{ id: 'a', type: 'transform' }, { id: 'b', type: 'shout', params: { loud: true } }] }, registry, problems);
    const error = problems.toError();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.errors).toEqual([{ path: 'steps[1].params.text', pointer: '/steps/1/params/text', code: 'INVALID_PARAMS', message: 'is required' }]);
  });

  it('does not check the params of an unknown type (that is its own problem)', () => {
    const problems = new ProblemList();
    WorkflowDefinition.fromInput({ name: 'w', steps: [{ id: 'a', type: 'whisper', params: {} }] }, registry, problems);
    expect(problems.toArray().map((p) => p.code)).toEqual(['UNKNOWN_STEP_TYPE']);
  });

  it('turns paths into JSON pointers and pointers into paths', () => {
    expect(pointerOf('steps[2].params.url')).toBe('/steps/2/params/url');
    expect(pointerOf('steps[0].params["a/b.c"]')).toBe('/steps/0/params/a~1b.c');
    expect(pointerOf('')).toBe('');
    expect(pointerOf('not a path!')).toBeUndefined();
    expect(appendPointer('steps[1].params', '/headers/x-api~1key/0')).toBe('steps[1].params.headers["x-api/key"][0]');
    expect(appendPointer('steps[1].params', '')).toBe('steps[1].params');
  });
});
