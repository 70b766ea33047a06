import { inputSchemaProblems, validateInputs } from './json-schema';

describe('inputSchemaProblems', () => {
  it('accepts draft 2020-12 (default) and draft-07 schemas, formats included', () => {
    expect(inputSchemaProblems({ type: 'object', properties: { at: { type: 'string', format: 'date-time' } } })).toEqual([]);
    expect(inputSchemaProblems({ $schema: 'http://json-schema.org/draft-07/schema#', items: [{ type: 'string' }] })).toEqual([]);
    expect(inputSchemaProblems({ $schema: 'https://json-schema.org/draft/2020-12/schema', prefixItems: [{ type: 'string' }] })).toEqual([]);
  });

  it('reports invalid keywords, unresolvable references, unknown dialects and non-objects', () => {
    expect(inputSchemaProblems({ type: 'object', properties: { a: { minimum: 'x' } } })).toEqual([
      'properties.a.minimum must be number',
    ]);
    expect(inputSchemaProblems({ $ref: '#/$defs/missing' })).toEqual([expect.stringContaining("can't resolve reference")]);
    expect(inputSchemaProblems({ $schema: 'http://example.com/mine' })).toEqual([expect.stringContaining('unsupported $schema')]);
    expect(inputSchemaProblems('object')).toEqual(['must be a JSON Schema object, got a string']);
  });

  it('can check the same schema with an $id twice', () => {
    const schema = { $id: 'https://example.com/in', type: 'object' };
    expect(inputSchemaProblems(schema)).toEqual([]);
    expect(inputSchemaProblems(schema)).toEqual([]);
  });
});

describe('validateInputs', () => {
  const schema = { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'] };

  it('returns no problems for valid inputs', () => {
    expect(validateInputs(schema, { n: 3 })).toEqual([]);
  });

  it('lists every problem with an inputs path', () => {
    expect(validateInputs(schema, { n: 0 })).toEqual([{ path: 'inputs.n', code: 'INVALID_INPUT', message: 'must be >= 1' }]);
    expect(validateInputs(schema, {})).toEqual([
      { path: 'inputs', code: 'INVALID_INPUT', message: "must have required property 'n'" },
    ]);
  });
});
