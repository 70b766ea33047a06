import { INestApplication } from '@nestjs/common';
import { ApiExtension, DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { problemResponse, ProblemResponseDto } from '@cognition/platform/errors/api-problem-responses.decorator';
import { StepTypeCatalog } from '@cognition/platform/step-types/step-type-catalog';
import { publishStepTypes } from '@cognition/platform/step-types/step-types.openapi';

/**
 * `@ApiProperty` options for a field that may hold any JSON value, null included: a schema with no
 * `type` (a combinator makes Nest drop the one it reflects from `unknown`, which would be `object`).
 */
export function anyJson(description = 'Any JSON'): { description: string; anyOf: object[] } {
  return { description, anyOf: [{}] };
}

/**
 * `@ApiProperty` options for a field holding a `model` or null. OpenAPI 3.0's `nullable` only adds
 * null to a `type` in the same schema object, so `nullable` beside `allOf: [$ref]` (what Nest makes
 * of `{ type, nullable: true }`) still rejects null; the null goes in a branch of its own. The class
 * needs `@ApiExtraModels(model)` unless the document references it elsewhere.
 */
export function nullableRef(model: abstract new (...args: never[]) => unknown, description?: string): { description?: string; oneOf: object[] } {
  return { ...(description ? { description } : {}), oneOf: [{ $ref: getSchemaPath(model) }, { type: 'object', nullable: true, enum: [null] }] };
}

/** The name of the API-key security scheme. */
export const API_KEY_SCHEME = 'bearer';

/** Top-level tags: every tag an operation uses is declared here with a description. */
export const API_TAGS: Record<string, string> = {
  workflows: 'Versioned workflow definitions (DAGs of steps): create, edit drafts, lifecycle, analysis',
  executions: 'Runs of a workflow version: start, inspect steps, cancel, retry, signal, and the live event stream',
  tasks: 'The task queue agents work through',
  agents: 'Agent definitions and agent instances: budgets, permissions, usage',
  traces: 'Execution traces: span trees of workflows, steps, tasks, model and tool calls',
  memories: 'Long-term memory: create, edit, vector / full-text / hybrid search',
  'memory-collections': 'Named groups of memories',
  'memory-policies': 'Lifecycle policies (compress, archive, delete, evict) per namespace subtree',
  events: 'The event store: domain events, durable subscribers and their replays, dead letters',
  ops: 'Health checks and Prometheus metrics (no API key)',
};

const PUBLIC_EXTENSION = 'x-cognition-public';

/** Marks an operation as needing no API key: the document gives it `security: []`. */
export function ApiPublic(): MethodDecorator {
  return ApiExtension(PUBLIC_EXTENSION, true);
}

/** Builds the OpenAPI document of the app (what /docs-json serves). */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('CognitionOS API')
    .setDescription('Durable workflows, agents, tasks, traces and memory on PostgreSQL. Errors are RFC 9457 application/problem+json.')
    .setVersion('3')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key (`Authorization: Bearer cos_<prefix>_<secret>`); not a JWT' }, API_KEY_SCHEME)
    .addSecurityRequirements(API_KEY_SCHEME);
  for (const [name, description] of Object.entries(API_TAGS)) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [ProblemResponseDto] });
  // Steps as a union discriminated by `type`, with each registered step type's params schema.
  publishStepTypes(document, app.get(StepTypeCatalog));
  return finishDocument(document);
}

/**
 * What Nest's explorer cannot say: public operations get `security: []` (an empty list is dropped
 * by the explorer), the bearer scheme loses the `bearerFormat: JWT` Nest adds by default, and
 * every operation documents the edge's 400, 414 and 431 (and the parser's 415 where it takes a body,
 * a 503 where it needs the database), and request schemas state their
 * defaults in words (see `moveRequestDefaultsToDescriptions`).
 */
export function finishDocument(document: OpenAPIObject): OpenAPIObject {
  const scheme = document.components?.securitySchemes?.[API_KEY_SCHEME] as { bearerFormat?: string } | undefined;
  if (scheme) delete scheme.bearerFormat;
  moveRequestDefaultsToDescriptions(document);
  for (const item of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(item) as Array<[string, Record<string, any>]>) {
      if (!operation || typeof operation !== 'object') continue;
      // The edge answers these on any route, before a handler runs (edge.ts); the body parser a 415
      // for a body that is not JSON on any route that takes one.
      for (const status of [400, 414, 431]) operation.responses[status] ??= problemResponse(status);
      if (['post', 'put', 'patch'].includes(method)) operation.responses['415'] ??= problemResponse(415);
      if (!(PUBLIC_EXTENSION in operation)) {
        operation.responses['503'] ??= problemResponse(503);
        continue;
      }
      delete operation[PUBLIC_EXTENSION];
      operation.security = [];
    }
  }
  return document;
}

/** OpenAPI 3 at /docs (UI) and /docs-json. */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, createOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}

type SchemaNode = Record<string, any>;

/**
 * openapi-typescript (default flags) makes a property with a `default` required, except directly
 * under a request body; our request bodies are `$ref`s, so every defaulted request field would have
 * to be sent. The default moves into the description of every schema a request body reaches.
 */
function moveRequestDefaultsToDescriptions(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaNode>;
  const reached = new Set<string>();
  const follow = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(follow);
    if (!node || typeof node !== 'object') return;
    const ref = (node as SchemaNode).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const name = ref.slice('#/components/schemas/'.length);
      if (!reached.has(name) && schemas[name]) {
        reached.add(name);
        follow(schemas[name]);
      }
    }
    Object.values(node).forEach(follow);
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as SchemaNode[]) if (operation?.requestBody) follow(operation.requestBody);
  }
  const move = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(move);
    if (!node || typeof node !== 'object') return;
    const schema = node as SchemaNode;
    if ('default' in schema && !('$ref' in schema)) {
      const said = `Default: ${JSON.stringify(schema.default)}.`;
      schema.description = schema.description ? `${schema.description}. ${said}`.replace(/\.\. /, '. ') : said;
      delete schema.default;
    }
    Object.values(schema).forEach(move);
  };
  for (const name of reached) move(schemas[name]);
}
