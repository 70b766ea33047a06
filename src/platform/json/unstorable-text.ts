/**
 * Text PostgreSQL cannot store. `jsonb` (and `text`) reject the NUL character (U+0000) and, since
 * JSON.stringify writes a lone surrogate as a `\udXXX` escape, a lone UTF-16 surrogate (a high one
 * not followed by a low one, or a low one not preceded by a high one): SQLSTATE 22P05 / 22P02. One
 * such character anywhere in a value, in a string or in an object key, makes the whole statement
 * that writes it fail.
 */

/** NUL, or a surrogate that is not half of a pair (in `u` mode a pair is one code point, not `\p{Cs}`). */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /[\u0000\p{Cs}]/u;
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE_ALL = /[\u0000\p{Cs}]/gu;

export type UnstorableProblem = 'nul' | 'lone-surrogate';

export interface UnstorableChar {
  /** UTF-16 index of the character in the string. */
  index: number;
  problem: UnstorableProblem;
  /** The character as `U+XXXX`. */
  codePoint: string;
}

/** The first character of `text` PostgreSQL cannot store, or null. */
export function unstorableCharIn(text: string): UnstorableChar | null {
  const match = UNSTORABLE.exec(text);
  if (!match) return null;
  const code = text.charCodeAt(match.index);
  return {
    index: match.index,
    problem: code === 0 ? 'nul' : 'lone-surrogate',
    codePoint: `U+${code.toString(16).toUpperCase().padStart(4, '0')}`,
  };
}

/** `text` with every NUL and lone surrogate written as a `\uXXXX` escape: storable, and still telling. */
export function escapeUnstorable(text: string): string {
  return text.replace(UNSTORABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export type JsonPath = (string | number)[];

export interface UnstorableText extends UnstorableChar {
  /** Property names and array indexes from the root to the string (for a key: to its property). */
  path: JsonPath;
  /** True when the object key named by the last segment is the culprit, not a string value. */
  inKey: boolean;
}

interface Frame {
  value: unknown;
  parent: Frame | null;
  /** The segment from the parent to this value (none for the root). */
  segment?: string | number;
  /** When set, the object key (the segment) is checked before the value. */
  checkKey?: boolean;
}

/**
 * Finds the first string (value or object key, depth first, in JSON.stringify's order) PostgreSQL
 * cannot store in a JSON value, or null when there is none. Looks at what JSON.stringify writes
 * (`toJSON` results; properties whose value it omits are skipped). Iterative: any depth is fine, and
 * a cycle or a shared object is visited once.
 */
export function findUnstorableText(value: unknown): UnstorableText | null {
  const stack: Frame[] = [{ value, parent: null }];
  const seen = new Set<object>();
  while (stack.length) {
    const frame = stack.pop()!;
    if (frame.checkKey) {
      const found = unstorableCharIn(frame.segment as string);
      if (found) return { ...found, path: pathOf(frame), inKey: true };
    }
    const v = jsonValueOf(frame.value, frame.segment);
    if (typeof v === 'string') {
      const found = unstorableCharIn(v);
      if (found) return { ...found, path: pathOf(frame), inKey: false };
      continue;
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      // The leading run of non-objects (all of a flat array: an embedding, a tag list) is checked
      // here, in order, without a frame per element; the rest, from the first object on, as frames.
      let i = 0;
      for (; i < v.length; i++) {
        const item: unknown = v[i];
        if (typeof item === 'string') {
          const found = unstorableCharIn(item);
          if (found) return { ...found, path: [...pathOf(frame), i], inKey: false };
        } else if (item !== null && typeof item === 'object') break;
      }
      for (let j = v.length - 1; j >= i; j--) stack.push({ value: v[j], parent: frame, segment: j });
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const item = (v as Record<string, unknown>)[keys[i]];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        stack.push({ value: item, parent: frame, segment: keys[i], checkKey: true });
      }
    }
  }
  return null;
}

/** What JSON.stringify serializes for `value`: the result of its `toJSON`, a boxed string unboxed. */
function jsonValueOf(value: unknown, key: string | number | undefined): unknown {
  if (value === null || typeof value !== 'object') return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    try {
      return (toJSON as (key: string) => unknown).call(value, key === undefined ? '' : String(key));
    } catch {
      return undefined;
    }
  }
  if (value instanceof String) return value.valueOf();
  return value;
}

function pathOf(frame: Frame): JsonPath {
  const path: JsonPath = [];
  for (let f: Frame | null = frame; f && f.segment !== undefined; f = f.parent) path.push(f.segment);
  return path.reverse();
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A path as text, e.g. `output.items[3].name` or `output["a b"]`. Keys that are not identifiers are
 * written as JSON strings, so a NUL or a lone surrogate in a key comes out as a `\u0000` escape: the
 * text is always storable.
 */
export function formatJsonPath(root: string, path: JsonPath): string {
  let text = root;
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += `${text ? '.' : ''}${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** E.g. `output.items[3].name contains a NUL character (U+0000), which PostgreSQL cannot store`. */
export function describeUnstorableText(root: string, found: UnstorableText): string {
  const what = found.problem === 'nul' ? `a NUL character (${found.codePoint})` : `a lone surrogate (${found.codePoint})`;
  const where = formatJsonPath(root, found.path);
  return `${found.inKey ? `the key of ${where}` : where} contains ${what}, which PostgreSQL cannot store`;
}
