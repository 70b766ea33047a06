import { analyzeExpression } from './expression-analysis';
import { analyzeTemplate } from './template-analysis';

const list100 = `[${Array.from({ length: 100 }, (_, i) => i + 1).join(',')}]`;

function doublingBinds(seed: string, levels: number, body: (last: string) => string): string {
  let expression = body(`a${levels}`);
  for (let i = levels; i >= 1; i -= 1) expression = `cel.bind(a${i}, a${i - 1} + a${i - 1}, ${expression})`;
  return `cel.bind(a0, ${seed}, ${expression})`;
}

const limitProblems = (expression: string) => analyzeExpression(expression, 'steps[0].condition').problems.filter((p) => p.code === 'EXPRESSION_LIMIT');

describe('static cost estimate (refusal at definition time)', () => {
  it('refuses comprehensions nested over literal lists past the budget, naming the path', () => {
    const problems = limitProblems(`${list100}.all(a, ${list100}.all(b, ${list100}.all(c, ${list100}.all(d, a + b + c + d > 0))))`);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe('steps[0].condition');
    expect(problems[0].message).toContain('over the budget of 1000000 units');
  });

  it('refuses a deep map over ranges', () => {
    expect(limitProblems(`${list100}.map(a, ${list100}.map(b, ${list100}.map(c, a * b * c)))`)).toHaveLength(1);
  });

  it('refuses cel.bind chains that double a list or a string', () => {
    expect(limitProblems(doublingBinds('[1, 2, 3, 4, 5, 6, 7, 8]', 30, (last) => `size(${last}) > 0`))).toHaveLength(1);
    const problems = limitProblems(doublingBinds('"0123456789abcdef"', 30, (last) => last));
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/over the (limit of 1048576 bytes|budget)/);
  });

  it('refuses a template whose expressions together build more than the size limit', () => {
    const segment = doublingBinds('"0123456789abcdef"', 15, (last) => last);
    const analysis = analyzeTemplate(Array.from({ length: 32 }, () => `\${{ ${segment} }}`).join(''), 'steps[0].params.body');
    expect(analysis.problems.map((p) => [p.path, p.code])).toEqual([['steps[0].params.body', 'EXPRESSION_LIMIT']]);
  });

  it('accepts ordinary expressions, whatever the size of the data they read', () => {
    const ordinary = [
      'inputs.items.map(x, x * 2)',
      'inputs.items.all(x, inputs.others.exists(y, x == y))',
      'steps.fetch.output.items.filter(i, i.ok).map(i, i.name).join(", ")',
      `${list100}.map(x, x * 2)`,
      `${list100}.all(a, ${list100}.exists(b, a == b))`,
      'cel.bind(x, inputs.name + "-" + inputs.suffix, x + x)',
      '"prefix-" + string(inputs.n) + "-suffix"',
    ];
    for (const expression of ordinary) expect(limitProblems(expression)).toEqual([]);
  });
});
