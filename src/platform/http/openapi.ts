import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemResponseDto } from '../errors/api-problem-responses.decorator';

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
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
