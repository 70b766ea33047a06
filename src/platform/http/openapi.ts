import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, SwaggerModule } from '@nestjs/swagger';
import { ProblemResponseDto } from '../errors/api-problem-responses.decorator';
import { StepTypeCatalog } from '../step-types/step-type-catalog';
import { publishStepTypes } from '../step-types/step-types.openapi';

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

/** OpenAPI 3 at /docs (UI) and /docs-json. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('CognitionOS API')
    .setDescription('Durable workflows, agents, tasks, traces and memory on PostgreSQL. Errors are RFC 9457 application/problem+json.')
    .setVersion('3')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key: cos_<prefix>_<secret>' })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemResponseDto] });
  // Steps as a union discriminated by `type`, with each registered step type's params schema.
  publishStepTypes(document, app.get(StepTypeCatalog));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
