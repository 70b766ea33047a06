import { isPlainObject } from '@cognition/platform/expressions';
import { describe, isJsonValue } from '@cognition/platform/json-schema/json-values';
import type { ProblemList } from './problem-list';

/** Small readers used by the value objects: each reports a problem and returns undefined when invalid. */

export { describe, isJsonValue, isPlainObject };

/**
 * An object with named fields: a plain object, or a class instance such as a validated request
 * DTO (class-transformer builds those). Arrays, Dates and Maps are not.
 */
export function isRecordLike(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Map) &&
    !(value instanceof Set)
  );
}


export interface StringRule {
  min?: number;
  max: number;
}

/** A string of `min`..`max` characters (after trimming for the minimum), or undefined. */
export function readString(value: unknown, path: string, problems: ProblemList, rule: StringRule): string | undefined {
  if (typeof value !== 'string') {
    problems.add(path, 'INVALID_TYPE', `must be a string, got ${describe(value)}`);
    return undefined;
  }
  const min = rule.min ?? 0;
  if (value.trim().length < min) {
    problems.add(path, min === 1 ? 'REQUIRED' : 'OUT_OF_RANGE', min === 1 ? 'must not be empty' : `must have at least ${min} characters`);
    return undefined;
  }
  if (value.length > rule.max) {
    problems.add(path, 'OUT_OF_RANGE', `must have at most ${rule.max} characters, got ${value.length}`);
    return undefined;
  }
  return value;
}

/** Like readString, but undefined and null mean "absent" and give null. */
export function readOptionalString(
  value: unknown,
  path: string,
  problems: ProblemList,
  rule: StringRule,
): string | null {
  if (value === undefined || value === null) return null;
  return readString(value, path, problems, rule) ?? null;
}

export interface IntegerRule {
  min: number;
  max: number;
}

/** An integer in [min, max], or undefined. */
export function readInteger(value: unknown, path: string, problems: ProblemList, rule: IntegerRule): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    problems.add(path, 'INVALID_TYPE', `must be an integer, got ${typeof value === 'number' ? value : describe(value)}`);
    return undefined;
  }
  if (value < rule.min || value > rule.max) {
    problems.add(path, 'OUT_OF_RANGE', `must be between ${rule.min} and ${rule.max}, got ${value}`);
    return undefined;
  }
  return value;
}

export function readBoolean(value: unknown, path: string, problems: ProblemList): boolean | undefined {
  if (typeof value !== 'boolean') {
    problems.add(path, 'INVALID_TYPE', `must be a boolean, got ${describe(value)}`);
    return undefined;
  }
  return value;
}


/** A JSON object (plain object of JSON values), deep-copied, or undefined. */
export function readJsonObject(
  value: unknown,
  path: string,
  problems: ProblemList,
): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    problems.add(path, 'INVALID_TYPE', `must be an object, got ${describe(value)}`);
    return undefined;
  }
  if (!isJsonValue(value)) {
    problems.add(path, 'INVALID_TYPE', 'must contain only JSON values (at most 64 levels deep)');
    return undefined;
  }
  return structuredClone(value);
}
