import { Environment } from '@marcbachmann/cel-js';
import fc from 'fast-check';
import { fromCel } from './cel-values';
import { ExpressionError, ExpressionLimitError } from './expression-error';
import { evaluateCondition, evaluateExpression, renderTemplate } from './expression-evaluator';
import { configureExpressionLimits, expressionLimits } from './expression-limits';

/** The bombs of issue 16, and a few more of the same families. */

const list100 = `[${Array.from({ length: 100 }, (_, i) => i + 1).join(',')}]`;

/** cel.bind(a0, seed, cel.bind(a1, a0 + a0, … body)) */
function doublingBinds(seed: string, levels: number, body: (last: string) => string): string {
  let expression = body(`a${levels}`);
  for (let i = levels; i >= 1; i -= 1) expression = `cel.bind(a${i}, a${i - 1} + a${i - 1}, ${expression})`;
  return `cel.bind(a0, ${seed}, ${expression})`;
}

function limitErrorOf(run: () => unknown): ExpressionLimitError {
  try {
    run();
  } catch (error) {
    if (error instanceof ExpressionLimitError) return error;
    throw error;
  }
  throw new Error('expected an ExpressionLimitError');
}

const { cost, resultBytes } = expressionLimits();

describe('expression limits', () => {
  // The wall-clock limit (100 ms) would trip first on a loaded machine, before the size or cost
  // limit a test is about: it gets a minute here, except in the test of the time limit itself.
  beforeEach(() => configureExpressionLimits({ timeMs: 60_000 }));
  afterEach(() => configureExpressionLimits());

  it('a cel.bind chain that doubles a list 30 times fails with EXPRESSION_LIMIT (list size)', () => {
    const expression = doublingBinds('[1, 2, 3, 4, 5, 6, 7, 8]', 30, (last) => `size(${last}) > 0`);
    expect(expression.length).toBeLessThan(1_000);
    const error = limitErrorOf(() => evaluateCondition(expression, {}));
    expect(error.code).toBe('EXPRESSION_LIMIT');
    expect(error.retryable).toBe(false);
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error.message).toMatch(/built a list of more than 1048576 bytes|cost budget of 1000000 units/);
  });

  it('a cel.bind chain that doubles a string 30 times fails with EXPRESSION_LIMIT (string size)', () => {
    const error = limitErrorOf(() => evaluateExpression(doublingBinds('"0123456789abcdef"', 30, (last) => last), {}));
    expect(error.code).toBe('EXPRESSION_LIMIT');
    expect(error.message).toContain(`expression built a string of more than ${resultBytes} bytes`);
  });

  it('a template of 32 half-megabyte expressions fails with EXPRESSION_LIMIT instead of producing 16 MiB', () => {
    const segment = doublingBinds('"0123456789abcdef"', 15, (last) => last);
    const params = { body: Array.from({ length: 32 }, () => `\${{ ${segment} }}`).join('') };
    expect(evaluateExpression(segment, {})).toHaveLength(16 * 2 ** 15);
    const error = limitErrorOf(() => renderTemplate(params, {}));
    expect(error.code).toBe('EXPRESSION_LIMIT');
    expect(error.message).toContain(`of more than ${resultBytes} bytes`);
  });

  it('exact templates share the size budget of the render', () => {
    const segment = doublingBinds('"0123456789abcdef"', 15, (last) => last);
    const params = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`f${i}`, `\${{ ${segment} }}`]));
    expect(limitErrorOf(() => renderTemplate(params, {})).code).toBe('EXPRESSION_LIMIT');
  });

  it('a condition of 10^8 operations (nested all() over literal lists) fails with EXPRESSION_LIMIT', () => {
    const expression = `${list100}.all(a, ${list100}.all(b, ${list100}.all(c, ${list100}.all(d, a + b + c + d > 0))))`;
    // Unlimited, this runs ~10 s and returns true: the error itself shows the limit cut it short.
    const error = limitErrorOf(() => evaluateCondition(expression, {}));
    expect(error.code).toBe('EXPRESSION_LIMIT');
    expect(error.message).toMatch(new RegExp(`cost budget of ${cost} units|time limit`));
  });

  it('a limit tripped inside || or exists() is not swallowed by the other operand', () => {
    const heavy = `${list100}.all(a, ${list100}.all(b, ${list100}.all(c, ${list100}.all(d, a > 0))))`;
    expect(limitErrorOf(() => evaluateCondition(`${heavy} || true`, {})).code).toBe('EXPRESSION_LIMIT');
    expect(limitErrorOf(() => evaluateCondition(`[1, 2].exists(x, x == 1 && ${heavy})`, {})).code).toBe('EXPRESSION_LIMIT');
  });

  it('a deep map over ranges fails with EXPRESSION_LIMIT', () => {
    const expression = `${list100}.map(a, ${list100}.map(b, ${list100}.map(c, ${list100}.map(d, a * b))))`;
    expect(limitErrorOf(() => evaluateExpression(expression, {})).code).toBe('EXPRESSION_LIMIT');
  });

  it('string growth through map and join fails with EXPRESSION_LIMIT', () => {
    const big = doublingBinds('"0123456789abcdef"', 15, (last) => `${list100}.map(x, ${last}).join("")`);
    expect(limitErrorOf(() => evaluateExpression(big, {})).message).toContain('built a string of more than');
    const concat = doublingBinds('"0123456789abcdef"', 15, (last) => `${list100}.map(x, ${last} + string(x))`);
    expect(limitErrorOf(() => evaluateExpression(concat, {})).code).toBe('EXPRESSION_LIMIT');
  });

  it('a deep comparison of shared-reference twins is billed before it runs', () => {
    const copies = (name: string) => `[${Array.from({ length: 500 }, () => name).join(',')}]`;
    const expression = `cel.bind(a, inputs.l, cel.bind(a2, inputs.l.map(x, x), cel.bind(b, ${copies('a')}, cel.bind(b2, ${copies('a2')}, cel.bind(c, ${copies('b')}, cel.bind(c2, ${copies('b2')}, c == c2 || c2 in [c] || c != c2))))))`;
    const inputs = { l: Array.from({ length: 500 }, (_, i) => i) };
    // Unlimited, this compares 500³ elements (~20 s) and is true: the error shows it was billed first.
    expect(limitErrorOf(() => evaluateCondition(expression, { inputs })).message).toContain('cost budget');
    expect(evaluateCondition('[1, [2, 3], {"a": [4]}] == [1, [2, 3], {"a": [4]}] && 2 in [1, 2] && [1] != [2]', {})).toBe(true);
  });

  it('a result of many references to one large value is measured as serialized', () => {
    const expression = doublingBinds('"0123456789abcdef"', 15, (last) => `${list100}.map(x, ${last})`);
    expect(limitErrorOf(() => evaluateExpression(expression, {})).message).toContain('produced a result of more than');
  });

  it('a backtracking regular expression runs in linear time', () => {
    const subject = `"${'a'.repeat(5_000)}!"`;
    expect(evaluateExpression(`${subject}.matches("(a+)+$")`, {})).toBe(false);
    expect(evaluateExpression(`"abc-12".matches("^[a-z]+-[0-9]{2}$")`, {})).toBe(true);
    expect(() => evaluateExpression(`"aa".matches("(a)\\\\1")`, {})).toThrow(/RE2/);
  });

  it('a time limit holds even when the cost budget is large', () => {
    configureExpressionLimits({ cost: 1e12, timeMs: 50 });
    const expression = `${list100}.all(a, ${list100}.all(b, ${list100}.all(c, ${list100}.all(d, a + b + c + d > 0))))`;
    const error = limitErrorOf(() => evaluateCondition(expression, {}));
    expect(error.message).toContain('expression exceeded its time limit of 50 ms');
  });

  it('limits are configurable: a small cost budget stops a small loop', () => {
    configureExpressionLimits({ cost: 50 });
    expect(limitErrorOf(() => evaluateExpression(`${list100}.map(x, x * 2)`, {})).message).toContain(
      'expression exceeded its cost budget of 50 units',
    );
    configureExpressionLimits();
    expect(evaluateExpression(`${list100}.map(x, x * 2)`, {})).toHaveLength(100);
  });

  it('ordinary expressions over ordinary data stay well within the limits', () => {
    const inputs = { items: Array.from({ length: 1_000 }, (_, i) => ({ id: i, name: `item-${i}` })), text: 'x'.repeat(100_000) };
    expect(evaluateExpression('inputs.items.filter(i, i.id % 2 == 0).map(i, i.name).size()', { inputs })).toBe(500);
    expect(evaluateExpression('inputs.text.size() + inputs.items.size()', { inputs })).toBe(101_000);
    expect(renderTemplate({ a: 'n=${{ inputs.items.size() }}', b: '${{ inputs.items[3] }}' }, { inputs })).toEqual({
      a: 'n=1000',
      b: { id: 3, name: 'item-3' },
    });
  });
});

describe('limits do not change results (property)', () => {
  const plain = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });

  const intExpr: fc.Arbitrary<string> = fc.letrec<{ int: string }>((tie) => ({
    int: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer({ min: -1000, max: 1000 }).map((n) => (n < 0 ? `(${n})` : String(n))),
      fc.tuple(tie('int'), fc.constantFrom('+', '-', '*'), tie('int')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(tie('int'), tie('int')).map(([a, b]) => `(${a} > ${b} ? ${a} : ${b})`),
    ),
  })).int;

  const strExpr: fc.Arbitrary<string> = fc.letrec<{ str: string }>((tie) => ({
    str: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
      fc.tuple(tie('str'), tie('str')).map(([a, b]) => `(${a} + ${b})`),
      intExpr.map((i) => `string(${i})`),
      tie('str').map((s) => `${s}.upperAscii()`),
    ),
  })).str;

  function outcome(run: () => unknown): unknown {
    try {
      return { value: run() };
    } catch {
      return { error: true };
    }
  }

  it('small arithmetic and string expressions evaluate identically with and without limits', () => {
    fc.assert(
      fc.property(fc.oneof(intExpr, strExpr, strExpr.map((s) => `size(${s}) + 1`), strExpr.map((s) => `${s}.contains("a")`)), (expression) => {
        const unlimited = outcome(() => fromCel(plain.evaluate(expression, {})));
        const limited = outcome(() => evaluateExpression(expression, {}));
        expect(limited).toEqual(unlimited);
      }),
      { numRuns: 300 },
    );
  });
});
