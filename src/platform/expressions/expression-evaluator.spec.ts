import { compiledExpressionCacheSize } from './cel-runtime';
import { ExpressionError } from './expression-error';
import { evaluateCondition, evaluateExpression, renderTemplate } from './expression-evaluator';

const context = {
  inputs: { count: 3, price: 9.5, name: 'Ada', tags: ['a', 'b'], big: 2 ** 60, nested: { ok: true } },
  steps: { fetch: { status: 'completed', output: { items: [1, 2, 3], total: 6 } }, skipped: { status: 'skipped', output: null } },
  execution: { id: 'e-1' },
  workflow: { id: 'wf', version: '1.0.0' },
};

function errorOf(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error('expected an ExpressionError');
}

describe('evaluateExpression', () => {
  it('treats JSON integers as CEL int and returns plain numbers', () => {
    expect(evaluateExpression('inputs.count + 1', context)).toBe(4);
    expect(evaluateExpression('steps.fetch.output.items.map(x, x * 2)', context)).toEqual([2, 4, 6]);
    expect(evaluateExpression('size(inputs.tags)', context)).toBe(2);
  });

  it('treats fractional numbers as double', () => {
    expect(evaluateExpression('inputs.price * 2.0', context)).toBe(19);
    expect(evaluateExpression('double(inputs.count) / 2.0', context)).toBe(1.5);
  });

  it('returns integers beyond the safe range as decimal strings instead of losing precision', () => {
    expect(evaluateExpression('9007199254740993', {})).toBe('9007199254740993');
    expect(evaluateExpression('inputs.big', context)).toBe(2 ** 60);
  });

  it('converts bytes, maps, timestamps, durations and types to JSON values', () => {
    expect(evaluateExpression('b"hi"', {})).toBe('aGk=');
    expect(evaluateExpression('{"a": 1, "b": [1u, 2.5]}', {})).toEqual({ a: 1, b: [1, 2.5] });
    expect(evaluateExpression('timestamp("2024-01-02T03:04:05Z")', {})).toBe('2024-01-02T03:04:05.000Z');
    expect(evaluateExpression('duration("90s")', {})).toBe('90s');
    expect(evaluateExpression('type(1)', {})).toBe('int');
  });

  it('reads step status and outputs, including skipped steps', () => {
    expect(evaluateExpression('steps.skipped.status == "skipped"', context)).toBe(true);
    expect(evaluateExpression('steps.fetch.output.total', context)).toBe(6);
  });

  it('throws ExpressionError with the library message on evaluation errors', () => {
    const missing = errorOf(() => evaluateExpression('steps.other.output', context));
    expect(missing.code).toBe('EXPRESSION_ERROR');
    expect(missing.message).toBe('cannot evaluate `steps.other.output`: No such key: other');
    expect(errorOf(() => evaluateExpression('1 / 0', {})).message).toMatch(/division by zero/);
    expect(errorOf(() => evaluateExpression('inputs.count * 1.5', context)).message).toMatch(/no such overload/);
    expect(errorOf(() => evaluateExpression('inputs.a', {})).message).toMatch(/Unknown variable: inputs/);
  });

  it('throws ExpressionError on syntax errors and empty expressions', () => {
    expect(errorOf(() => evaluateExpression('1 +', {})).message).toMatch(/^cannot parse `1 \+`: Unexpected token/);
    expect(errorOf(() => evaluateExpression(' ', {})).message).toBe('expression is empty');
  });

  it('keeps a bounded cache of compiled expressions', () => {
    for (let i = 0; i < 1_100; i += 1) evaluateExpression(`${i} + 1`, {});
    expect(compiledExpressionCacheSize()).toBe(1_000);
    expect(evaluateExpression('0 + 1', {})).toBe(1);
  });
});

describe('evaluateCondition', () => {
  it('returns bool results', () => {
    expect(evaluateCondition('inputs.count > 2 && inputs.nested.ok', context)).toBe(true);
    expect(evaluateCondition('"c" in inputs.tags', context)).toBe(false);
  });

  it('refuses a non-bool result', () => {
    expect(errorOf(() => evaluateCondition('inputs.count', context)).message).toBe(
      'condition `inputs.count` must evaluate to a bool, got int',
    );
  });
});

describe('renderTemplate', () => {
  it('gives an exact template the typed value', () => {
    expect(renderTemplate('${{ steps.fetch.output.items }}', context)).toEqual([1, 2, 3]);
    expect(renderTemplate('${{inputs.count}}', context)).toBe(3);
    expect(renderTemplate('${{ inputs.nested }}', context)).toEqual({ ok: true });
    expect(renderTemplate('${{ null }}', context)).toBeNull();
  });

  it('interpolates as text inside a longer string, non-strings as JSON', () => {
    expect(renderTemplate('Hello ${{ inputs.name }}, you have ${{ inputs.count }} items', context)).toBe(
      'Hello Ada, you have 3 items',
    );
    expect(renderTemplate('items=${{ steps.fetch.output.items }} ok=${{ inputs.nested.ok }}', context)).toBe(
      'items=[1,2,3] ok=true',
    );
    expect(renderTemplate(' ${{ inputs.count }}', context)).toBe(' 3');
  });

  it('renders objects and arrays recursively and leaves other values alone', () => {
    expect(
      renderTemplate(
        { url: 'https://api/${{ workflow.id }}', body: { n: '${{ inputs.count * 2 }}', list: ['${{ execution.id }}', 7, null] } },
        context,
      ),
    ).toEqual({ url: 'https://api/wf', body: { n: 6, list: ['e-1', 7, null] } });
    expect(renderTemplate('no templates here', context)).toBe('no templates here');
  });

  it('throws ExpressionError for an unterminated template or a failing expression', () => {
    expect(errorOf(() => renderTemplate({ a: 'x ${{ inputs.count' }, context)).message).toMatch(/unterminated/);
    expect(errorOf(() => renderTemplate(['${{ inputs.missing }}'], context)).message).toMatch(/No such key: missing/);
  });
});
