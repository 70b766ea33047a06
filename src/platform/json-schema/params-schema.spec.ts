import { acceptExpressions, EXPRESSION_PATTERN } from './params-schema';
import { StepTypeCatalog } from '@cognition/platform/step-types/step-type-catalog';

const expression = expect.objectContaining({ type: 'string', pattern: EXPRESSION_PATTERN });

describe('acceptExpressions', () => {
  it('adds a ${{ … }} branch to every value position, recursively, leaving plain strings and any-value schemas alone', () => {
    const wrapped = acceptExpressions({
      type: 'object',
      properties: { n: { type: 'integer' }, s: { type: 'string' }, any: {}, list: { type: 'array', items: { type: 'number' } } },
      additionalProperties: { type: 'boolean' },
    }) as any;
    expect(wrapped.anyOf[1]).toEqual(expression);
    const inner = wrapped.anyOf[0];
    expect(inner.properties.n).toEqual({ anyOf: [{ type: 'integer' }, expression] });
    expect(inner.properties.s).toEqual({ type: 'string' });
    expect(inner.properties.any).toEqual({});
    expect(inner.properties.list.anyOf[0].items).toEqual({ anyOf: [{ type: 'number' }, expression] });
    expect(inner.additionalProperties).toEqual({ anyOf: [{ type: 'boolean' }, expression] });
  });

  it('wraps constrained strings (enum, pattern) and goes through anyOf branches', () => {
    expect(acceptExpressions({ type: 'string', enum: ['a'] })).toEqual({ anyOf: [{ type: 'string', enum: ['a'] }, expression] });
    const wrapped = acceptExpressions({ anyOf: [{ type: 'object', properties: { x: { type: 'number' } } }, { type: 'boolean' }] }) as any;
    expect(wrapped.anyOf[0].anyOf[0].properties.x).toEqual({ anyOf: [{ type: 'number' }, expression] });
  });

  it('refuses a schema with $ref', () => {
    expect(() => acceptExpressions({ $ref: '#/$defs/x' })).toThrow('$ref is not supported');
  });
});

describe('StepTypeCatalog params validation', () => {
  const catalog = new StepTypeCatalog();
  catalog.add('custom', {
    type: 'object',
    required: ['count'],
    properties: { count: { type: 'integer', minimum: 1 }, tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } }, 'odd/key': { type: 'number' }, x: {}, y: {} },
    anyOf: [{ required: ['x'] }, { required: ['y'] }],
    additionalProperties: false,
  });
  catalog.add('free');

  it('accepts valid params and ${{ … }} strings wherever a value is', () => {
    expect(catalog.validateParams('custom', { count: 2, x: 1 })).toEqual([]);
    expect(catalog.validateParams('custom', { count: '${{ inputs.n }}', tags: ['a', '${{ inputs.tag }}'], x: 1 })).toEqual([]);
    expect(catalog.validateParams('custom', { count: 2, tags: '${{ inputs.tags }}', y: 0 })).toEqual([]);
  });

  it('lists one problem per JSON pointer, without the expression alternative', () => {
    expect(catalog.validateParams('custom', { count: 'two', tags: ['c'], colour: 1, 'odd/key': 'x', x: 1 })).toEqual([
      { pointer: '/colour', message: 'is not a known param' },
      { pointer: '/count', message: 'must be integer' },
      { pointer: '/tags/0', message: 'must be equal to one of the allowed values: "a", "b"' },
      { pointer: '/odd~1key', message: 'must be number' },
    ]);
    expect(catalog.validateParams('custom', { count: 0 })).toEqual([
      { pointer: '/count', message: 'must be >= 1' },
      { pointer: '', message: 'needs `x` or `y`' },
    ]);
    expect(catalog.validateParams('custom', { x: 1 })).toEqual([{ pointer: '/count', message: 'is required' }]);
    expect(catalog.validateParams('custom', { count: 'text ${{ no end', x: 1 })).toEqual([{ pointer: '/count', message: 'must be integer' }]);
  });

  it('takes any object for a type without a schema, and publishes what it validates', () => {
    expect(catalog.validateParams('free', { anything: [1] })).toEqual([]);
    expect(catalog.paramsSchema('free')).toEqual({ type: 'object', additionalProperties: true });
    expect((catalog.paramsSchema('custom') as any).properties.count.anyOf[1]).toEqual(expression);
  });

  it('refuses an invalid or non-object params schema at registration', () => {
    expect(() => catalog.add('bad', { type: 'object', properties: { a: { minimum: 'x' } } })).toThrow(/step type "bad" is not a valid JSON Schema/);
    expect(() => catalog.add('bad', { type: 'array' })).toThrow(/must describe an object/);
  });
});
