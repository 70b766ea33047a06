import { parseAnswer, repairPrompt, taskPrompt } from './run-prompt';

describe('the agent run prompt and answer', () => {
  const schema = { type: 'object', required: ['summary'], properties: { summary: { type: 'string' } }, additionalProperties: false };

  it('takes the text as the output when the task has no outputSchema', () => {
    expect(parseAnswer('plain words', null)).toEqual({ ok: true, output: { text: 'plain words' } });
  });

  it('parses JSON (also inside a ```json fence) and validates it against the outputSchema', () => {
    expect(parseAnswer('{"summary":"ok"}', schema)).toEqual({ ok: true, output: { summary: 'ok' } });
    expect(parseAnswer('```json\n{"summary":"fenced"}\n```', schema)).toEqual({ ok: true, output: { summary: 'fenced' } });
  });

  it('reports what is wrong: not JSON, or where the schema refuses it', () => {
    expect(parseAnswer('Sure! Here it is', schema)).toMatchObject({ ok: false, problems: [{ code: 'NOT_JSON' }] });
    const refused = parseAnswer('{"summary": 3, "extra": true}', schema);
    expect(refused.ok).toBe(false);
    const paths = refused.ok ? [] : refused.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['output.summary']));
    expect(repairPrompt(refused.ok ? [] : refused.problems)).toContain('output.summary');
  });

  it('tells the model the task, its input and the answer shape', () => {
    const prompt = taskPrompt({ name: 'n', description: 'Do it', input: { a: 1 }, outputSchema: schema } as never);
    expect(prompt).toContain('Do it');
    expect(prompt).toContain('"a": 1');
    expect(prompt).toContain('"required":["summary"]');
  });
});
