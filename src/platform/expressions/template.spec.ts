import { analyzeTemplate } from './template-analysis';
import { scanTemplate } from './template-scanner';

describe('scanTemplate', () => {
  it('recognises a string that is exactly one expression, whitespace inside the braces allowed', () => {
    expect(scanTemplate('${{inputs.a}}')).toEqual({
      ok: true,
      exact: true,
      segments: [{ kind: 'expression', expression: 'inputs.a' }],
    });
    expect(scanTemplate('${{   inputs.a   }}')).toMatchObject({ ok: true, exact: true });
  });

  it('treats text around or between expressions as interpolation', () => {
    expect(scanTemplate(' ${{ inputs.a }}')).toMatchObject({ ok: true, exact: false });
    expect(scanTemplate('${{ inputs.a }}${{ inputs.b }}')).toEqual({
      ok: true,
      exact: false,
      segments: [
        { kind: 'expression', expression: 'inputs.a' },
        { kind: 'expression', expression: 'inputs.b' },
      ],
    });
    expect(scanTemplate('id=${{ inputs.id }}!')).toEqual({
      ok: true,
      exact: false,
      segments: [
        { kind: 'text', text: 'id=' },
        { kind: 'expression', expression: 'inputs.id' },
        { kind: 'text', text: '!' },
      ],
    });
  });

  it('skips braces of map literals and braces inside string literals', () => {
    expect(scanTemplate('${{ {"a": {"b": 1}} }}')).toMatchObject({
      exact: true,
      segments: [{ expression: '{"a": {"b": 1}}' }],
    });
    expect(scanTemplate('${{ "}}" + \'}}\' + """x}}""" }}')).toMatchObject({
      exact: true,
      segments: [{ expression: '"}}" + \'}}\' + """x}}"""' }],
    });
    expect(scanTemplate('${{ "a\\"}}" }}')).toMatchObject({ exact: true, segments: [{ expression: '"a\\"}}"' }] });
    expect(scanTemplate('${{ r"\\" }}')).toMatchObject({ exact: true, segments: [{ expression: 'r"\\"' }] });
  });

  it('reports an unterminated ${{', () => {
    expect(scanTemplate('hello ${{ inputs.a')).toEqual({ ok: false, message: expect.stringContaining('unterminated') });
    expect(scanTemplate('${{ "}} ')).toMatchObject({ ok: false });
  });
});

describe('analyzeTemplate', () => {
  it('walks objects and arrays and extends the path of every problem', () => {
    const analysis = analyzeTemplate(
      {
        url: 'https://x/${{ steps.a.output.id }}',
        headers: { x: '${{ nope.y }}', 'Content-Type': '${{ inputs.t + }}' },
        list: [1, 'plain', '${{ steps.b.output }}', { deep: '${{ steps.c.status' }],
        count: 3,
        flag: null,
      },
      'params',
    );
    expect([...analysis.stepRefs].sort()).toEqual(['a', 'b']);
    expect(analysis.problems.map((p) => p.path)).toEqual([
      'params.headers.x',
      'params.headers["Content-Type"]',
      'params.list[3].deep',
    ]);
    expect(analysis.problems[2].message).toMatch(/unterminated/);
  });

  it('analyzes every expression of an interpolated string', () => {
    const analysis = analyzeTemplate('${{ steps.a.output }} and ${{ bad( }}', 'outputs.x');
    expect([...analysis.stepRefs]).toEqual(['a']);
    expect(analysis.problems).toEqual([{ path: 'outputs.x', message: expect.stringMatching(/^cannot parse `bad\(`/) }]);
  });

  it('finds nothing in values without templates', () => {
    expect(analyzeTemplate({ a: [1, true, 'x', { b: 'steps.a.output' }] }, 'params')).toEqual({
      stepRefs: new Set(),
      variables: new Set(),
      problems: [],
      estimatedBytes: 0,
    });
  });
});
