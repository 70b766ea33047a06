import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ErrorDetail } from '@cognition/platform/domain';
import { isPlainObject } from '@cognition/platform/expressions';
import { describe, isJsonValue } from './json-values';

/*
 * Workflow `inputSchema` is JSON Schema draft 2020-12 by default; a schema whose `$schema` names
 * draft-07 or draft-06 is read with that draft. Unknown keywords are allowed (strict: false),
 * as JSON Schema permits them.
 */

type Validator = Ajv | Ajv2020;
let draft2020: Ajv2020 | undefined;
let draft07: Ajv | undefined;

function validatorFor(schema: Record<string, unknown>): Validator {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (/draft-0[67]/.test(dialect)) {
    draft07 ??= addFormats(new Ajv({ allErrors: true, strict: false }));
    return draft07;
  }
  draft2020 ??= addFormats(new Ajv2020({ allErrors: true, strict: false }));
  return draft2020;
}

function errorPath(error: ErrorObject): string {
  return error.instancePath.replace(/^\//, '').replace(/\//g, '.');
}

/** One message per schema location: the first specific error (anyOf/oneOf summaries dropped). */
function schemaErrorMessages(errors: readonly ErrorObject[]): string[] {
  const byPath = new Map<string, string>();
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    const path = errorPath(error) || '(root)';
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
    const hint = Array.isArray(allowed) ? ` (${allowed.join(', ')})` : '';
    if (!byPath.has(path)) byPath.set(path, `${path} ${error.message ?? 'is invalid'}${hint}`);
  }
  return byPath.size > 0 ? [...byPath.values()] : ['is not a valid JSON Schema'];
}

function compile(schema: Record<string, unknown>): { validate?: ValidateFunction; problems: string[] } {
  const ajv = validatorFor(schema);
  let valid: boolean;
  try {
    valid = ajv.validateSchema(schema) as boolean;
  } catch {
    return { problems: [`unsupported $schema ${JSON.stringify(schema.$schema)}; use JSON Schema 2020-12 or draft-07`] };
  }
  if (!valid) return { problems: schemaErrorMessages(ajv.errors ?? []) };
  try {
    const validate = ajv.compile(schema);
    return { validate, problems: [] };
  } catch (error) {
    return { problems: [error instanceof Error ? error.message : String(error)] };
  } finally {
    ajv.removeSchema(schema);
  }
}

/** Problems that make `schema` unusable as a workflow's input schema; empty when it is fine. */
export function inputSchemaProblems(schema: unknown): string[] {
  if (!isPlainObject(schema)) return [`must be a JSON Schema object, got ${describe(schema)}`];
  if (!isJsonValue(schema)) return ['must contain only JSON values'];
  return compile(schema).problems;
}

const VALIDATOR_CACHE_LIMIT = 200;
const validators = new Map<string, { validate?: ValidateFunction; problems: string[] }>();

function cachedCompile(schema: Record<string, unknown>): { validate?: ValidateFunction; problems: string[] } {
  const key = JSON.stringify(schema);
  let compiled = validators.get(key);
  if (!compiled) {
    compiled = compile(schema);
    validators.set(key, compiled);
    if (validators.size > VALIDATOR_CACHE_LIMIT) validators.delete(validators.keys().next().value as string);
  }
  return compiled;
}

/**
 * Validates execution inputs against a workflow's input schema; problems carry `inputs.<path>`.
 * Compiled validators are cached (bounded) by the schema's JSON text.
 */
export function validateInputs(schema: Record<string, unknown>, inputs: unknown): ErrorDetail[] {
  return validateValue(schema, inputs, 'inputs', 'inputSchema');
}

/** Validates any value against a JSON Schema; problem paths start at `root` (e.g. `output.answer`). */
export function validateValue(schema: Record<string, unknown>, value: unknown, root: string, schemaPath = 'schema'): ErrorDetail[] {
  const { validate, problems } = cachedCompile(schema);
  if (!validate) return problems.map((message) => ({ path: schemaPath, code: 'INVALID_SCHEMA', message }));
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => ({
    path: [root, errorPath(error)].filter(Boolean).join('.'),
    code: 'INVALID_INPUT',
    message: error.message ?? 'is invalid',
  }));
}
