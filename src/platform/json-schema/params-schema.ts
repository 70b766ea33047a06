import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { isPlainObject } from '@cognition/platform/expressions';

/*
 * JSON Schemas of step params (SPEC section 4: "a `${{ … }}` string is allowed wherever a value is").
 *
 * A step type declares the schema of its params as they are *after* rendering. At definition time
 * templates are not rendered yet, so `acceptExpressions(schema)` rewrites the schema so that every
 * value position (the params object's properties, array items, additional and pattern properties,
 * recursively, through anyOf/oneOf/allOf branches and then/else) also accepts a string that
 * contains `${{ … }}`. The handler still checks the rendered values at run time.
 *
 * Schemas are JSON Schema 2020-12 (or draft-07 when `$schema` says so), self-contained (no `$ref`),
 * and should keep to what OpenAPI 3.0 can publish too: no `const` (use a one-value `enum`), no
 * `type` arrays (use `anyOf`), `{enum: [null]}` for null.
 */

export type JsonSchema = Record<string, unknown>;

/** Matches a string that holds a `${{ … }}` template, anywhere in it. */
export const EXPRESSION_PATTERN = '\\$\\{\\{[\\s\\S]*\\}\\}';
const EXPRESSION_DESCRIPTION = 'A ${{ … }} template, rendered when the step runs';

/** The schema of a `${{ … }}` string, the extra branch of every value position. */
export function expressionSchema(): JsonSchema {
  return { type: 'string', pattern: EXPRESSION_PATTERN, description: EXPRESSION_DESCRIPTION };
}

const VALUE_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'] as const;
const VALUE_SCHEMAS = ['additionalProperties', 'items', 'unevaluatedProperties', 'unevaluatedItems'] as const;
const VALUE_LISTS = ['prefixItems'] as const;
const BRANCH_LISTS = ['anyOf', 'oneOf', 'allOf'] as const;
const BRANCHES = ['then', 'else'] as const;

/** Whether a schema already accepts every string (nothing to add), or everything. */
function acceptsAnyString(schema: JsonSchema): boolean {
  const constrained = ['enum', 'const', 'pattern', 'format', 'minLength', 'maxLength', 'not', ...BRANCH_LISTS, 'if'];
  if (constrained.some((key) => key in schema)) return false;
  return schema.type === undefined || schema.type === 'string';
}

/** `schema` as a value position: also accepts a `${{ … }}` string (see the file comment). */
export function acceptExpressions(schema: unknown): unknown {
  if (!isPlainObject(schema)) return schema;
  if ('$ref' in schema || '$dynamicRef' in schema) throw new Error('params schemas must be self-contained: $ref is not supported');
  const inner = acceptExpressionsInside(schema);
  if (acceptsAnyString(schema)) return inner;
  const { description, title, $schema, $id, ...rest } = inner;
  const wrapped: JsonSchema = { anyOf: [rest, expressionSchema()] };
  if (title !== undefined) wrapped.title = title;
  if (description !== undefined) wrapped.description = description;
  if ($id !== undefined) wrapped.$id = $id;
  if ($schema !== undefined) wrapped.$schema = $schema;
  return wrapped;
}

/** Rewrites the value positions inside `schema` but not `schema` itself (used for the params object). */
export function acceptExpressionsInside(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  for (const key of VALUE_MAPS) {
    const map = schema[key];
    if (isPlainObject(map)) out[key] = Object.fromEntries(Object.entries(map).map(([name, s]) => [name, acceptExpressions(s)]));
  }
  for (const key of VALUE_SCHEMAS) {
    const value = schema[key];
    if (isPlainObject(value)) out[key] = acceptExpressions(value);
    else if (Array.isArray(value)) out[key] = value.map(acceptExpressions);
  }
  for (const key of VALUE_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) out[key] = list.map(acceptExpressions);
  }
  for (const key of BRANCH_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) out[key] = list.map((branch) => (isPlainObject(branch) ? acceptExpressionsInside(branch) : branch));
  }
  for (const key of BRANCHES) {
    const branch = schema[key];
    if (isPlainObject(branch)) out[key] = acceptExpressionsInside(branch);
  }
  return out;
}

/** One problem with a step's params: a JSON pointer inside the params (`/url`, `''` for the object) and a message. */
export interface ParamsProblem {
  pointer: string;
  message: string;
}

type Validator = Ajv | Ajv2020;
let draft2020: Ajv2020 | undefined;
let draft07: Ajv | undefined;

function validatorFor(schema: JsonSchema): Validator {
  if (typeof schema.$schema === 'string' && /draft-0[67]/.test(schema.$schema)) {
    draft07 ??= addFormats(new Ajv({ allErrors: true, strict: false, verbose: true }));
    return draft07;
  }
  draft2020 ??= addFormats(new Ajv2020({ allErrors: true, strict: false, verbose: true }));
  return draft2020;
}

/**
 * Compiles a params schema (already passed through `acceptExpressionsInside`); throws with every
 * problem when it is not a valid JSON Schema, so a bad `@StepType` declaration stops the start.
 */
export function compileParamsSchema(name: string, schema: JsonSchema): ValidateFunction {
  const ajv = validatorFor(schema);
  const { $id: _id, ...anonymous } = schema;
  if (!ajv.validateSchema(anonymous)) {
    const messages = (ajv.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
    throw new Error(`The params schema of step type "${name}" is not a valid JSON Schema: ${messages.join('; ')}`);
  }
  return ajv.compile(anonymous);
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function isExpressionBranch(error: ErrorObject): boolean {
  const parent = error.parentSchema as JsonSchema | undefined;
  return parent?.pattern === EXPRESSION_PATTERN && parent.description === EXPRESSION_DESCRIPTION;
}

/** The property of a `{required: [name]}` branch, else null. */
function onlyRequired(branch: unknown): string | null {
  if (!isPlainObject(branch) || Object.keys(branch).length !== 1 || !Array.isArray(branch.required) || branch.required.length !== 1) return null;
  return String(branch.required[0]);
}

function problemOf(error: ErrorObject): ParamsProblem {
  const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  if (error.keyword === 'required' && params.missingProperty !== undefined) {
    return { pointer: `${error.instancePath}/${escape(params.missingProperty)}`, message: 'is required' };
  }
  if (error.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
    return { pointer: `${error.instancePath}/${escape(params.additionalProperty)}`, message: 'is not a known param' };
  }
  const branches = (error.parentSchema as JsonSchema | undefined)?.oneOf;
  const names = Array.isArray(branches) ? branches.map(onlyRequired) : [];
  if (error.keyword === 'oneOf' && names.length > 0 && names.every((n) => n !== null)) {
    return { pointer: error.instancePath, message: `takes exactly one of ${names.map((n) => `\`${n}\``).join(', ')}` };
  }
  const allowed = Array.isArray(params.allowedValues) ? `: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { pointer: error.instancePath, message: `${error.message ?? 'is invalid'}${allowed}` };
}

/**
 * Every problem of `params` against a compiled params schema, one per JSON pointer: the errors of
 * the `${{ … }}` alternative and the anyOf/oneOf summaries are left out, so a wrong number reads
 * "must be number", not "must be number, must be string, must match a schema in anyOf".
 */
export function paramsProblems(validate: ValidateFunction, params: unknown): ParamsProblem[] {
  if (validate(params)) return [];
  const errors = (validate.errors ?? []).filter((e) => !isExpressionBranch(e));
  const specific = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
  const byPointer = new Map<string, ParamsProblem>();
  const alternatives = new Map<string, { pointer: string; names: string[] }>();
  for (const error of specific.length > 0 ? specific : errors) {
    // `anyOf: [{required: [a]}, {required: [b]}]` fails with one `required` per branch: say "needs a or b" once.
    const branch = /^(.*\/(?:anyOf|oneOf))\/\d+\/required$/.exec(error.schemaPath);
    const missing = (error.params as { missingProperty?: string }).missingProperty;
    if (error.keyword === 'required' && branch && missing !== undefined && onlyRequired(error.parentSchema) !== null) {
      const key = `${error.instancePath}#${branch[1]}`;
      const group = alternatives.get(key) ?? { pointer: error.instancePath, names: [] };
      group.names.push(missing);
      alternatives.set(key, group);
      continue;
    }
    const problem = problemOf(error);
    if (!byPointer.has(problem.pointer)) byPointer.set(problem.pointer, problem);
  }
  for (const { pointer, names } of alternatives.values()) {
    if (!byPointer.has(pointer)) byPointer.set(pointer, { pointer, message: `needs ${names.map((n) => `\`${n}\``).join(' or ')}` });
  }
  if (byPointer.size === 0) return [{ pointer: '', message: 'does not match the params schema' }];
  return [...byPointer.values()];
}
