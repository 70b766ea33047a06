import fc from 'fast-check';
import { describeUnstorableText, escapeUnstorable, findUnstorableText, formatJsonPath, JsonPath, unstorableCharIn } from './unstorable-text';

const NUL = '\u0000';

/** Any JSON, strings drawn from all UTF-16 code units (NUL and lone surrogates included). */
const anyJson = fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 });
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const clean = (s: string) => s.replace(/[\u0000\p{Cs}]/gu, '?');

/** The same value with every unstorable character (in strings and keys) replaced. */
function cleaned(value: unknown): unknown {
  if (typeof value === 'string') return clean(value);
  if (Array.isArray(value)) return value.map(cleaned);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, clean(k), { value: cleaned(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

const cleanJson = anyJson.map(cleaned);
const cleanString = fc.string({ unit: 'binary', maxLength: 6 }).map(clean);
const badChar = fc.oneof(
  fc.constant(NUL),
  fc.integer({ min: 0xd800, max: 0xdbff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xdc00, max: 0xdfff }).map((c) => String.fromCharCode(c)),
);

/** Every node of a JSON value with its path, the root first. */
function nodesOf(value: unknown, path: JsonPath = []): { node: unknown; path: JsonPath }[] {
  const here = [{ node: value, path }];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => nodesOf(v, [...path, i]))];
  if (value && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => nodesOf(v, [...path, k]))];
  return here;
}

function setAt(root: unknown, path: JsonPath, value: unknown): unknown {
  if (path.length === 0) return value;
  let parent = root as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>;
  Object.defineProperty(parent, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
  return root;
}

describe('findUnstorableText', () => {
  it('finds nothing in JSON without NUL or lone surrogates (surrogate pairs are fine)', () => {
    fc.assert(fc.property(cleanJson, (value) => findUnstorableText(value) === null), { numRuns: 300 });
    expect(findUnstorableText({ emoji: '\ud83d\ude00', 'k\ud83d\ude00': ['é', 1, true, null] })).toBeNull();
  });

  it('finds a bad character inserted in a string at any path, with that path', () => {
    fc.assert(
      fc.property(cleanJson, fc.nat(), cleanString, badChar, cleanString, (value, pick, before, bad, after) => {
        const nodes = nodesOf(value);
        const { path } = nodes[pick % nodes.length];
        const found = findUnstorableText(setAt(value, path, before + bad + after));
        expect(found).toMatchObject({ path, inKey: false, index: before.length, problem: bad === NUL ? 'nul' : 'lone-surrogate' });
      }),
      { numRuns: 300 },
    );
  });

  it('finds a bad character in an object key, naming that key', () => {
    fc.assert(
      fc.property(cleanJson, fc.nat(), cleanString, badChar, cleanString, cleanJson, (value, pick, before, bad, after, item) => {
        const objects = nodesOf(value).filter((n) => n.node !== null && typeof n.node === 'object' && !Array.isArray(n.node));
        const root = objects.length ? value : {};
        const target = objects.length ? objects[pick % objects.length].path : [];
        const key = before + bad + after;
        const found = findUnstorableText(setAt(root, [...target, key], item));
        expect(found).toMatchObject({ path: [...target, key], inKey: true });
      }),
      { numRuns: 300 },
    );
  });

  it('reports the first one in JSON.stringify order', () => {
    expect(findUnstorableText({ a: ['ok', `x${NUL}`], b: '\ud800' })).toMatchObject({ path: ['a', 1], problem: 'nul', codePoint: 'U+0000' });
    expect(findUnstorableText([{ [`k${NUL}`]: '\udc00' }])).toMatchObject({ path: [0, `k${NUL}`], inKey: true });
    // Arrays: strings before the first object, the object, strings after it.
    expect(findUnstorableText([{ k: `x${NUL}` }, 'y\ud800'])).toMatchObject({ path: [0, 'k'], problem: 'nul' });
    expect(findUnstorableText(['ok', 1, 'a\ud800', { k: `x${NUL}` }])).toMatchObject({ path: [2], problem: 'lone-surrogate' });
    expect(findUnstorableText(['ok', { k: 'fine' }, [true, `z${NUL}`], 'a\ud800'])).toMatchObject({ path: [2, 1], problem: 'nul' });
    const tags = Array.from({ length: 100_000 }, (_, i) => `tag ${i}`);
    expect(findUnstorableText({ tags })).toBeNull();
    tags[99_999] = `tag${NUL}`;
    expect(findUnstorableText({ tags })).toMatchObject({ path: ['tags', 99_999] });
  });

  it('looks at what JSON.stringify writes: toJSON results, no omitted properties', () => {
    expect(findUnstorableText({ skipped: undefined, [`f${NUL}`]: () => 1, d: new Date(0) })).toBeNull();
    expect(findUnstorableText({ v: { toJSON: () => ({ inner: `a${NUL}` }) } })).toMatchObject({ path: ['v', 'inner'] });
  });

  it('survives a 10,000-deep value and a cycle', () => {
    let deep: unknown = `bottom${NUL}`;
    for (let i = 0; i < 10_000; i++) deep = i % 2 ? [deep] : { k: deep };
    expect(findUnstorableText(deep)?.path).toHaveLength(10_000);
    const cyclic: Record<string, unknown> = { a: 'fine' };
    cyclic.self = cyclic;
    expect(findUnstorableText(cyclic)).toBeNull();
  });
});

describe('unstorableCharIn', () => {
  it('tells NUL from a lone high or low surrogate, and accepts pairs', () => {
    expect(unstorableCharIn('ab')).toBeNull();
    expect(unstorableCharIn('\ud83d\ude00')).toBeNull();
    expect(unstorableCharIn(`ab${NUL}`)).toEqual({ index: 2, problem: 'nul', codePoint: 'U+0000' });
    expect(unstorableCharIn('\ud800x')).toEqual({ index: 0, problem: 'lone-surrogate', codePoint: 'U+D800' });
    expect(unstorableCharIn('x\udfff')).toEqual({ index: 1, problem: 'lone-surrogate', codePoint: 'U+DFFF' });
    expect(unstorableCharIn('\ud83d\ud83d\ude00')).toMatchObject({ index: 0 });
  });
});

describe('describeUnstorableText', () => {
  it('names the path; a bad key is escaped so the message itself is storable', () => {
    expect(describeUnstorableText('output', findUnstorableText({ items: [0, 1, 2, { name: `a${NUL}` }] })!)).toBe(
      'output.items[3].name contains a NUL character (U+0000), which PostgreSQL cannot store',
    );
    const message = describeUnstorableText('output', findUnstorableText({ 'a b': { [`k${NUL}\ud800`]: 1 } })!);
    expect(message).toBe('the key of output["a b"]["k\\u0000\\ud800"] contains a NUL character (U+0000), which PostgreSQL cannot store');
    expect(unstorableCharIn(message)).toBeNull();
    expect(describeUnstorableText('error', findUnstorableText({ message: '\udc00' })!)).toBe('error.message contains a lone surrogate (U+DC00), which PostgreSQL cannot store');
  });

  it('formats paths', () => {
    expect(formatJsonPath('output', [])).toBe('output');
    expect(formatJsonPath('', ['a', 0, 'b-c'])).toBe('a[0]["b-c"]');
  });
});

describe('escapeUnstorable', () => {
  it('writes NUL and lone surrogates as \\u escapes and keeps everything else', () => {
    expect(escapeUnstorable(`a${NUL}b\ud800\ud83d\ude00\udc00`)).toBe('a\\u0000b\\ud800\ud83d\ude00\\udc00');
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => unstorableCharIn(escapeUnstorable(text)) === null));
    fc.assert(fc.property(cleanString, (text) => escapeUnstorable(text) === text));
  });
});
