import fc from 'fast-check';
import { checkHeaders, checkUrl } from './edge';
import { checkValues, jsonDepthExceeds } from './json-body-parser';

/** The nesting of a parsed JSON value, iteratively (the reference the text scan must agree with). */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, d + 1);
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

describe('the edge', () => {
  describe('jsonDepthExceeds', () => {
    it('agrees with the depth of the parsed value, strings with brackets and escapes included', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 1, max: 10 }), (value, max) => {
          expect(jsonDepthExceeds(JSON.stringify(value), max)).toBe(depthOf(value) > max);
        }),
        { seed: 16, numRuns: 500 },
      );
      expect(jsonDepthExceeds('["[[[\\"[[", {"a]": "\\\\"}]', 2)).toBe(false);
      expect(jsonDepthExceeds('[[[]]]', 2)).toBe(true);
    });

    it('scans 10,000 levels without recursion', () => {
      expect(jsonDepthExceeds('['.repeat(100_000), 64)).toBe(true);
      expect(jsonDepthExceeds('['.repeat(64) + ']'.repeat(64), 64)).toBe(false);
    });
  });

  describe('checkValues', () => {
    it('names the first bad string, key or number', () => {
      expect(checkValues({ a: [{ b: 'x\u0000' }] })?.errors).toEqual([{ path: 'a[0].b', code: 'INVALID_STRING', message: 'contains a NUL character (U+0000)' }]);
      expect(checkValues({ 'k\udfff': 1 })?.errors?.[0]).toMatchObject({ path: '["k\\udfff"]', message: 'the key contains a lone surrogate (U+DFFF)' });
      expect(checkValues('\ud800')).toMatchObject({ code: 'INVALID_STRING', message: 'The body contains a lone surrogate (U+D800), which cannot be stored' });
      expect(checkValues({ n: [1, Infinity] })).toMatchObject({ code: 'INVALID_NUMBER', errors: [{ path: 'n[1]' }] });
      expect(checkValues({ ok: ['😀', -0, 1e308, null, true] })).toBeNull();
    });

    it('in arrays, finds the first bad number in document order, whether objects come before, after or around it', () => {
      const path = (value: unknown) => checkValues(value)?.errors?.[0]?.path;
      expect(path({ n: [{ a: -Infinity }, Infinity] })).toBe('n[0].a');
      expect(path({ n: [Infinity, { a: -Infinity }] })).toBe('n[0]');
      expect(path([1, 'x', null, [2, Infinity], -Infinity])).toBe('[3][1]');
      expect(path([1, { a: 1 }, 2, -Infinity, [Infinity]])).toBe('[3]');
      const embedding = Array.from({ length: 100_000 }, (_, i) => i / 7);
      expect(checkValues({ embedding })).toBeNull();
      embedding[99_999] = Infinity;
      expect(path({ embedding })).toBe('embedding[99999]');
    });
  });

  describe('checkUrl', () => {
    it('refuses bad percent-encoding, NUL and lone surrogates in the path and the query', () => {
      expect(checkUrl('/api/v3/tasks/%00')).toMatchObject({ code: 'INVALID_STRING', errors: [{ path: 'path' }] });
      expect(checkUrl('/api/v3/tasks?a=1&b=%ED%A0%80')).toMatchObject({ code: 'INVALID_STRING', errors: [{ path: 'query.b' }] });
      expect(checkUrl('/x?%zz=1')).toMatchObject({ code: 'INVALID_STRING', errors: [{ path: 'query' }] });
      expect(checkUrl('/x?q=a%2B+b&&flag&e=%F0%9F%98%80')).toBeNull();
      expect(checkUrl('/x/..%2F..%2Fetc')).toBeNull();
    });

    it('never throws on any text', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (text) => {
          const error = checkUrl(`/x/${text}?q=${text}`);
          if (error) expect(error.code).toBe('INVALID_STRING');
        }),
        { seed: 16, numRuns: 500 },
      );
    });
  });

  describe('checkHeaders', () => {
    it('takes printable ASCII and refuses anything else in the headers handlers read', () => {
      expect(checkHeaders({ 'idempotency-key': 'abc-123 ~', 'if-match': 'W/"3"', 'x-other': '\u00ff' })).toBeNull();
      expect(checkHeaders({ 'idempotency-key': 'a\u00ffb' })).toMatchObject({ code: 'INVALID_HEADER', errors: [{ path: 'Idempotency-Key' }] });
      expect(checkHeaders({ 'last-event-id': '\t1' })).toMatchObject({ code: 'INVALID_HEADER', errors: [{ path: 'Last-Event-ID' }] });
    });
  });
});
