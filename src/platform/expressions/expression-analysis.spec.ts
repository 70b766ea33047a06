import { analyzeExpression } from './expression-analysis';

const refs = (expression: string) => [...analyzeExpression(expression, 'p').stepRefs].sort();
const messages = (expression: string) => analyzeExpression(expression, 'p').problems.map((p) => p.message);

describe('analyzeExpression', () => {
  it('collects step ids referenced with member access and string-literal index', () => {
    expect(refs('steps.fetch.output.items.size() > 0 && steps["parse"].status == "completed"')).toEqual([
      'fetch',
      'parse',
    ]);
  });

  it('collects references nested in calls, lists, maps, ternaries and has()', () => {
    expect(
      refs('has(steps.a.output.x) ? [steps.b.output, {"k": steps.c.output}] : size(steps.d.output) + int(steps.e.status)'),
    ).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('reports no problems for a valid expression and lists the root variables read', () => {
    const analysis = analyzeExpression('inputs.n > 3 && workflow.id != "" && execution.id != ""', 'condition');
    expect(analysis.problems).toEqual([]);
    expect([...analysis.variables].sort()).toEqual(['execution', 'inputs', 'workflow']);
  });

  it('does not flag variables bound by comprehension macros', () => {
    const expressions = [
      'inputs.list.map(x, x * 2)',
      'inputs.list.map(x, x > 1, x + 1)',
      'inputs.list.filter(y, y.ok).exists(z, z.id == 1)',
      'inputs.list.all(v, v > 0) || inputs.list.exists_one(w, w == 2)',
      'cel.bind(total, inputs.a + 1, total * 2)',
      'inputs.rows.map(r, r.cells.map(c, c + r.offset))',
    ];
    for (const expression of expressions) expect(messages(expression)).toEqual([]);
  });

  it('still flags unknown variables used outside the macro scope', () => {
    expect(messages('inputs.list.map(x, x * 2) + x')).toEqual([
      expect.stringContaining('unknown variable "x"'),
    ]);
    expect(messages('cel.bind(t, t, 1)')).toEqual([expect.stringContaining('unknown variable "t"')]);
  });

  it('collects step references made inside macro bodies', () => {
    expect(refs('inputs.ids.filter(i, i in steps.lookup.output.ids)')).toEqual(['lookup']);
  });

  it('does not treat a macro variable named steps as the steps root', () => {
    expect(refs('inputs.list.map(steps, steps.a)')).toEqual([]);
  });

  it('reports an unknown root identifier once with the allowed roots', () => {
    const problems = analyzeExpression('user.age > 3 && user.name == "x"', 'steps[0].condition').problems;
    expect(problems).toEqual([
      {
        path: 'steps[0].condition',
        message: expect.stringMatching(/unknown variable "user".*inputs, steps, execution, workflow, item, index, signal/),
      },
    ]);
  });

  it('turns a parse error into a problem carrying the library message', () => {
    const problems = analyzeExpression('inputs.a +', 'steps[1].condition').problems;
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe('steps[1].condition');
    expect(problems[0].message).toMatch(/^cannot parse `inputs\.a \+`: Unexpected token: EOF \(at offset \d+\)$/);
  });

  it('reports bad macro arguments, unbalanced parentheses and empty expressions', () => {
    expect(messages('inputs.l.map(1, 2)')[0]).toMatch(/invalid predicate iteration variable/);
    expect(messages('size(inputs.l')[0]).toMatch(/^cannot parse/);
    expect(messages('   ')).toEqual(['expression is empty']);
  });

  it('reports type errors the checker finds: unknown functions, mismatched literals', () => {
    expect(messages('nosuch(inputs.a)')[0]).toMatch(/^type error in `nosuch\(inputs\.a\)`: .*nosuch/);
    expect(messages('"a" + 1')[0]).toMatch(/^type error/);
  });

  it('refuses steps indexed with a computed key', () => {
    expect(messages('steps[inputs.name].output')).toEqual([expect.stringContaining('computed key')]);
  });
});
