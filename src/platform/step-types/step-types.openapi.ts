import { isPlainObject } from '@cognition/platform/expressions';
import type { JsonSchema } from '@cognition/platform/json-schema/params-schema';
import type { StepTypeCatalog } from './step-type-catalog';

/** The component schemas of a workflow step (request and response), as Nest builds them from the DTOs. */
export const STEP_SCHEMAS = { request: 'StepRequestDto', response: 'StepResponseDto' } as const;

interface OpenApiLike {
  openapi: string;
  components?: { schemas?: Record<string, unknown> };
}

const pascal = (type: string) =>
  type
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('') || 'Custom';

/**
 * Publishes every registered step type in the document (SPEC section 4): the step schemas
 * `StepRequestDto` and `StepResponseDto` become unions discriminated by `type`, one branch per step
 * type (`HttpRequestStepRequestDto`, …) holding the step's common fields and its typed `params`, so a
 * client generated from the document types each step's params. Custom `@StepType`s are included:
 * the catalog is filled when the engine's StepHandlers provider is built, before the document.
 */
export function publishStepTypes(document: OpenApiLike, catalog: StepTypeCatalog): void {
  const schemas = document.components?.schemas;
  const types = catalog.list();
  if (!schemas || types.length === 0) return;
  const openApi30 = document.openapi.startsWith('3.0');
  for (const [kind, base] of Object.entries(STEP_SCHEMAS)) {
    const common = schemas[base];
    if (!isPlainObject(common) || !isPlainObject(common.properties)) continue;
    const oneOf: { $ref: string }[] = [];
    const mapping: Record<string, string> = {};
    for (const type of types) {
      const params = catalog.paramsSchema(type) as JsonSchema;
      const { $schema: _s, $id: _i, ...published } = openApi30 ? toOpenApi30(params) : params;
      published.description ??= `The params of a ${type} step; any value may be a \${{ … }} template`;
      const required = new Set([...((common.required as string[] | undefined) ?? []), 'type']);
      if (Array.isArray(params.required) && params.required.length > 0) required.add('params');
      const name = uniqueName(schemas, `${pascal(type)}${base}`);
      schemas[name] = {
        ...common,
        description: `A step of type ${type} (${kind})`,
        properties: { ...common.properties, type: { type: 'string', enum: [type] }, params: published },
        required: [...required],
      };
      oneOf.push({ $ref: `#/components/schemas/${name}` });
      mapping[type] = `#/components/schemas/${name}`;
    }
    schemas[base] = {
      description: `A workflow step (${kind}): one schema per registered step type, chosen by \`type\``,
      oneOf,
      discriminator: { propertyName: 'type', mapping },
    };
  }
}

function uniqueName(schemas: Record<string, unknown>, name: string): string {
  let candidate = name;
  for (let n = 2; candidate in schemas; n++) candidate = `${name}${n}`;
  return candidate;
}

/**
 * The JSON Schema keywords OpenAPI 3.0 spells differently: `const` (a one-value `enum`) and null
 * (`nullable`). A numeric `exclusiveMinimum`/`Maximum` is published as `minimum`/`maximum`: 3.0's
 * boolean form breaks the JSON Schema validators (ajv) that clients run on the document, so the
 * document is that much looser than the server, which still refuses the bound itself.
 */
export function toOpenApi30(schema: unknown): JsonSchema {
  if (Array.isArray(schema)) return schema.map(toOpenApi30) as unknown as JsonSchema;
  if (!isPlainObject(schema)) return schema as JsonSchema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' || key === 'patternProperties' || key === '$defs') {
      out[key] = Object.fromEntries(Object.entries(value as JsonSchema).map(([k, v]) => [k, toOpenApi30(v)]));
    } else if (key === 'exclusiveMinimum' && typeof value === 'number') out.minimum = value;
    else if (key === 'exclusiveMaximum' && typeof value === 'number') out.maximum = value;
    else if (key === 'const') out.enum = [value];
    else if (key === 'enum' || key === 'default' || key === 'examples' || key === 'required') out[key] = value;
    else out[key] = isPlainObject(value) || Array.isArray(value) ? toOpenApi30(value) : value;
  }
  if (Array.isArray(out.enum) && out.enum.length === 1 && out.enum[0] === null && out.type === undefined) {
    return { type: 'object', nullable: true, ...out };
  }
  return out;
}
