import type { Meter } from './expression-limits';
import { isPlainObject } from './plain-object';

/*
 * Number conversion between JSON values and CEL.
 *
 * CEL has distinct `int` (64-bit, BigInt in cel-js) and `double` types and no implicit
 * conversion between them (`1 + 1.5` is a type error), while JSON has one number type.
 * Decision:
 * - Into CEL: a JS number that is a safe integer becomes `int` (BigInt); any other number
 *   (fractions, integers beyond 2^53, NaN, Infinity) stays a `double`. So `inputs.count + 1`
 *   works for `{count: 3}` and `inputs.price * 1.5` works for `{price: 9.99}`; an expression that
 *   mixes a possibly-integral input with a double literal should say `double(inputs.price) * 1.5`.
 *   JSON cannot tell `10.0` from `10`, so both are `int`.
 * - Out of CEL: BigInt (int and uint) becomes a JS number when it is a safe integer, else its
 *   decimal string (no silent precision loss); bytes become a base64 string; maps become plain
 *   objects (keys stringified); timestamps become ISO-8601 strings; durations their CEL text
 *   (`"90s"`); types their name. Results are therefore always JSON-serializable.
 * Only the root variables an expression reads are converted, so a large context costs nothing for
 * expressions that do not read it.
 */

export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = toCel(item);
    }
    return out;
  }
  if (value instanceof Map) return new Map([...value].map(([key, item]) => [toCel(key), toCel(item)]));
  return value;
}

function fromBigInt(value: bigint): number | string {
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
}

/**
 * Converts a CEL result to a plain JSON value. With a meter, the result's JSON size (about: every
 * occurrence of a shared value counted again, as serialization would) is taken from the meter's
 * byte budget, and conversion stops with EXPRESSION_LIMIT as soon as it runs out.
 */
export function fromCel(value: unknown, meter?: Meter): unknown {
  if (typeof value === 'bigint') {
    meter?.takeBytes(8, 'result');
    return fromBigInt(value);
  }
  if (value === null || typeof value !== 'object') {
    if (meter) meter.takeBytes(typeof value === 'string' ? value.length + 2 : 8, 'result');
    return value;
  }
  if (Array.isArray(value)) {
    meter?.takeBytes(2 + value.length, 'result');
    return value.map((item) => fromCel(item, meter));
  }
  if (value instanceof Uint8Array) {
    meter?.takeBytes(Math.ceil(value.byteLength / 3) * 4 + 2, 'result');
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  }
  if (value instanceof Date) {
    meter?.takeBytes(26, 'result');
    return Number.isNaN(value.getTime()) ? null : value.toISOString();
  }
  if (value instanceof Map) {
    meter?.takeBytes(2, 'result');
    const out: Record<string, unknown> = {};
    for (const [key, item] of value) {
      const name = String(fromCel(key));
      meter?.takeBytes(name.length + 4, 'result');
      out[name] = fromCel(item, meter);
    }
    return out;
  }
  if (isPlainObject(value)) {
    meter?.takeBytes(2, 'result');
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      meter?.takeBytes(key.length + 4, 'result');
      out[key] = fromCel(item, meter);
    }
    return out;
  }
  meter?.takeBytes(16, 'result');
  const primitive = (value as { valueOf(): unknown }).valueOf();
  if (typeof primitive === 'bigint') return fromBigInt(primitive);
  const text = String(value);
  const typeName = /^Type<(.+)>$/.exec(text);
  return typeName ? typeName[1] : text;
}

/** A CEL-ish name of a converted value's type, for error messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}
