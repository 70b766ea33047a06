import type { StepDefinition } from '../contracts/workflow.types';
import { StaticStepTypeRegistry } from './step-type-registry';
import { WorkflowDag } from './workflow-dag';
import { stepDefinition } from '@cognition/test-support/mothers/workflow.mother';

const stepTypes = new StaticStepTypeRegistry();

const step = stepDefinition;

const validate = (steps: StepDefinition[], outputs: Record<string, unknown> | null = null) =>
  WorkflowDag.validate(steps, { stepTypes, outputs });

describe('WorkflowDag.validate', () => {
  it('accepts a valid diamond', () => {
    expect(validate([step('a'), step('b', ['a']), step('c', ['a']), step('d', ['b', 'c'])])).toEqual([]);
  });

  it('reports no steps', () => {
    expect(validate([])).toEqual([{ path: 'steps', code: 'NO_STEPS', message: 'a workflow needs at least one step' }]);
  });

  it('reports duplicates, unknown and self dependencies, and unknown types with their paths', () => {
    const problems = validate([step('a'), step('a'), step('b', ['b', 'ghost']), step('c', [], { type: 'teleport' })]);
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['steps[1].id', 'DUPLICATE_STEP_ID'],
      ['steps[2].dependsOn[0]', 'SELF_DEPENDENCY'],
      ['steps[2].dependsOn[1]', 'UNKNOWN_DEPENDENCY'],
      ['steps[3].type', 'UNKNOWN_STEP_TYPE'],
    ]);
    expect(problems[3].message).toMatch(/unknown step type "teleport"; registered types: agent_task, delay/);
  });

  it('names a cycle in dependency order', () => {
    const problems = validate([step('a', ['c']), step('b', ['a']), step('c', ['b']), step('d', ['c'])]);
    expect(problems).toEqual([
      {
        path: 'steps[0].dependsOn',
        code: 'DEPENDENCY_CYCLE',
        message: 'dependency cycle: a -> c -> b -> a (each step depends on the next)',
      },
    ]);
  });

  it('reports each independent cycle once', () => {
    const problems = validate([step('a', ['b']), step('b', ['a']), step('x', ['y']), step('y', ['z']), step('z', ['x', 'y'])]);
    expect(problems.map((p) => p.message)).toEqual([
      'dependency cycle: a -> b -> a (each step depends on the next)',
      'dependency cycle: x -> y -> z -> x (each step depends on the next)',
    ]);
  });

  it('accepts references to direct and transitive dependencies', () => {
    const steps = [
      step('fetch'),
      step('parse', ['fetch'], { params: { output: '${{ steps.fetch.output.body }}' } }),
      step('store', ['parse'], {
        params: { output: { raw: '${{ steps.fetch.output }}', parsed: '${{ steps["parse"].output }}' } },
        condition: 'steps.fetch.status == "completed"',
      }),
    ];
    expect(validate(steps)).toEqual([]);
  });

  it('refuses references to steps that are not dependencies, and to unknown steps', () => {
    const steps = [
      step('a'),
      step('b'),
      step('c', ['a'], { params: { x: '${{ steps.b.output }}' }, concurrencyKey: 'steps.nope.output' }),
    ];
    expect(validate(steps)).toEqual([
      { path: 'steps[2].concurrencyKey', code: 'UNKNOWN_STEP_REFERENCE', message: 'steps.nope does not name a step' },
      {
        path: 'steps[2].params.x',
        code: 'REFERENCE_NOT_A_DEPENDENCY',
        message: expect.stringContaining('step "c" reads steps.b, which is not one of its dependencies; add "b" to dependsOn'),
      },
    ]);
  });

  it('refuses a step reading its own output and a dependent reading it', () => {
    const problems = validate([step('a', [], { condition: 'steps.a.status == "x"' }), step('b', ['a'])]);
    expect(problems.map((p) => p.code)).toEqual(['REFERENCE_NOT_A_DEPENDENCY']);
  });

  it('reports expressions and templates that do not parse, at their paths', () => {
    const problems = validate([
      step('a', [], { condition: 'inputs.x >', forEach: '${{ inputs.items }}', params: { list: ['ok', '${{ inputs.y'] } }),
    ]);
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['steps[0].condition', 'INVALID_EXPRESSION'],
      ['steps[0].forEach', 'INVALID_EXPRESSION'],
      ['steps[0].params.list[1]', 'INVALID_EXPRESSION'],
    ]);
    expect(problems[1].message).toMatch(/bare CEL expression/);
  });

  it('allows item and index only in forEach steps, outside the forEach expression', () => {
    expect(validate([step('a', [], { forEach: 'inputs.items', params: { v: '${{ item.id }}-${{ index }}' } })])).toEqual([]);
    const problems = validate([
      step('a', [], { params: { v: '${{ item }}' } }),
      step('b', [], { forEach: 'inputs.items.map(i, i + index)' }),
    ]);
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['steps[0].params.v', 'item can only be read in a step with forEach'],
      ['steps[1].forEach', 'forEach cannot read index: they come from its result'],
    ]);
  });

  it('lets outputs reference any step but not unknown ones or item', () => {
    const steps = [step('a'), step('b')];
    expect(validate(steps, { first: '${{ steps.a.output }}', both: ['${{ steps.b.output }}'] })).toEqual([]);
    expect(validate(steps, { x: '${{ steps.zz.output }}', y: '${{ item }}', 'z-1': '${{ 1 + }}' }).map((p) => [p.path, p.code])).toEqual([
      ['outputs.x', 'UNKNOWN_STEP_REFERENCE'],
      ['outputs.y', 'INVALID_EXPRESSION'],
      ['outputs["z-1"]', 'INVALID_EXPRESSION'],
    ]);
  });
});

describe('WorkflowDag.analyze', () => {
  it('analyzes a diamond with a tail (ready steps taken in declaration order)', () => {
    const analysis = WorkflowDag.analyze([
      step('d', ['b', 'c']),
      step('c', ['a']),
      step('b', ['a']),
      step('a'),
      step('e', ['d']),
      step('solo'),
    ]);
    expect(analysis).toEqual({
      topologicalOrder: ['a', 'c', 'b', 'd', 'e', 'solo'],
      levels: [['a', 'solo'], ['c', 'b'], ['d'], ['e']],
      criticalPath: ['a', 'c', 'd', 'e'],
      maxParallelism: 2,
    });
  });

  it('picks the longest chain for the critical path', () => {
    const analysis = WorkflowDag.analyze([step('a'), step('b', ['a']), step('c', ['b']), step('x'), step('end', ['x', 'c'])]);
    expect(analysis.criticalPath).toEqual(['a', 'b', 'c', 'end']);
    expect(analysis.levels).toEqual([['a', 'x'], ['b'], ['c'], ['end']]);
  });

  it('refuses a cyclic graph', () => {
    expect(() => WorkflowDag.analyze([step('a', ['b']), step('b', ['a'])])).toThrow(/cycle: a -> b -> a/);
  });
});
