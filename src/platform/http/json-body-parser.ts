import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError } from '@cognition/platform/domain';
import { findUnstorableText, formatJsonPath, JsonPath } from '@cognition/platform/json/unstorable-text';

export interface JsonBodyOptions {
  /** Deepest nesting of arrays and objects accepted (`JSON_MAX_DEPTH`). */
  maxDepth: number;
}

/**
 * JSON bodies, checked at the edge before any handler runs (DESIGN.md, "Limits and the edge"):
 * - the bytes must be UTF-8 and the text JSON (Fastify's own secure parser: prototype-poisoning
 *   safe) — else 400 MALFORMED_JSON;
 * - nesting deeper than `maxDepth` is a 400 JSON_TOO_DEEP, found by a linear scan of the text
 *   before parsing (no recursion: a body nested 10,000 deep cannot overflow the stack);
 * - a NUL or a lone surrogate in any string or object key (PostgreSQL cannot store either) is a 400
 *   INVALID_STRING naming the field, and a number too large for a double (`1e400`) a 400
 *   INVALID_NUMBER — both found by iterative walks.
 * Only `application/json` is parsed: every other content type is a 415.
 */
export function useJsonBodyParser(app: NestFastifyApplication, options: JsonBodyOptions): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('text/plain');
  const parser = (request: unknown, body: unknown, done: (error: Error | null, value?: unknown) => void) => {
    let text: string;
    try {
      text = Buffer.isBuffer(body) ? UTF8.decode(body) : String(body);
    } catch {
      return done(new DomainError('MALFORMED_JSON', 'The request body is not valid UTF-8'), undefined);
    }
    if (text.trim() === '') return done(null, undefined);
    const depthError = checkDepth(text, options.maxDepth);
    if (depthError) return done(depthError, undefined);
    parse(request as never, text, (error, value) => {
      if (error) return done(new DomainError('MALFORMED_JSON', `The request body is not valid JSON: ${error.message}`), undefined);
      done(checkValues(value), value);
    });
  };
  app.useBodyParser('application/json', {}, parser);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * The nesting of JSON text, counted in one pass over its characters (brackets inside strings don't
 * count), stopping as soon as it exceeds `max`. The text need not be valid: the parser judges that.
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

function checkDepth(text: string, max: number): DomainError | null {
  if (!jsonDepthExceeds(text, max)) return null;
  return new DomainError('JSON_TOO_DEEP', `The request body is nested more than ${max} levels deep (JSON_MAX_DEPTH)`, [
    { path: '', code: 'JSON_TOO_DEEP', message: `nested more than ${max} levels deep` },
  ]);
}

/** The first bad string or number of a parsed body, as the error to answer with (null when none). */
export function checkValues(value: unknown): DomainError | null {
  const text = findUnstorableText(value);
  if (text) {
    const path = formatJsonPath('', text.path);
    const what = `${text.problem === 'nul' ? 'a NUL character' : 'a lone surrogate'} (${text.codePoint})`;
    const where = text.inKey ? `The key of ${path}` : path || 'The body';
    return new DomainError('INVALID_STRING', `${where} contains ${what}, which cannot be stored`, [{ path, code: 'INVALID_STRING', message: `${text.inKey ? 'the key ' : ''}contains ${what}` }]);
  }
  const number = findNonFiniteNumber(value);
  if (number) {
    const path = formatJsonPath('', number);
    return new DomainError('INVALID_NUMBER', `${path || 'The body'} is a number too large to represent (beyond ±1.8e308)`, [{ path, code: 'INVALID_NUMBER', message: 'number out of range' }]);
  }
  return null;
}

interface Frame {
  value: unknown;
  parent: Frame | null;
  segment?: string | number;
}

/** The path of the first number JSON.parse turned into ±Infinity (e.g. `1e400`), or null. Iterative. */
function findNonFiniteNumber(root: unknown): JsonPath | null {
  const stack: Frame[] = [{ value: root, parent: null }];
  while (stack.length) {
    const frame = stack.pop()!;
    const value = frame.value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return pathOf(frame);
    } else if (Array.isArray(value)) {
      // The leading run of non-containers (all of an embedding) is checked here, in order, without a frame per element.
      let i = 0;
      for (; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'number') {
          if (!Number.isFinite(item)) return [...pathOf(frame), i];
        } else if (item !== null && typeof item === 'object') break;
      }
      for (let j = value.length - 1; j >= i; j--) stack.push({ value: value[j], parent: frame, segment: j });
    } else if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (value as Record<string, unknown>)[keys[i]], parent: frame, segment: keys[i] });
    }
  }
  return null;
}

function pathOf(frame: Frame): JsonPath {
  const path: JsonPath = [];
  for (let f: Frame | null = frame; f && f.segment !== undefined; f = f.parent) path.push(f.segment);
  return path.reverse();
}
