import { OpenAPIObject } from '@nestjs/swagger';
import { finishDocument } from './openapi';

function document(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        ThingRequestDto: { type: 'object', properties: { size: { type: 'number', default: 3, description: 'How big' }, inner: { $ref: '#/components/schemas/InnerRequestDto' } } },
        InnerRequestDto: { type: 'object', properties: { on: { type: 'boolean', default: true } } },
        ThingResponseDto: { type: 'object', properties: { size: { type: 'number', default: 3 } } },
      },
    },
    paths: {
      '/things': {
        post: {
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingRequestDto' } } } },
          responses: { '201': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingResponseDto' } } } } },
        },
        get: { parameters: [{ name: 'limit', in: 'query', schema: { type: 'number', default: 50 } }], responses: { '200': { description: 'ok' } } },
      },
      '/health/live': { get: { 'x-cognition-public': true, responses: { '200': { description: 'ok' } } } as never },
    },
  };
}

describe('finishDocument', () => {
  const done = finishDocument(document());
  const schemas = done.components!.schemas as Record<string, any>;
  const paths = done.paths as Record<string, any>;

  it('states the defaults of request schemas in words (openapi-typescript would make them required), and keeps those of responses and parameters', () => {
    expect(schemas.ThingRequestDto.properties.size).toEqual({ type: 'number', description: 'How big. Default: 3.' });
    expect(schemas.InnerRequestDto.properties.on).toEqual({ type: 'boolean', description: 'Default: true.' });
    expect(schemas.ThingResponseDto.properties.size.default).toBe(3);
    expect(paths['/things'].get.parameters[0].schema.default).toBe(50);
  });

  it('gives public operations no security, and the API-key scheme no JWT format', () => {
    expect(paths['/health/live'].get.security).toEqual([]);
    expect(paths['/health/live'].get).not.toHaveProperty('x-cognition-public');
    expect(paths['/things'].post.security).toBeUndefined();
    expect(done.components!.securitySchemes!.bearer).toEqual({ type: 'http', scheme: 'bearer' });
  });

  it('documents the edge answers everywhere, 415 where a body is taken, 503 where a key is needed', () => {
    expect(Object.keys(paths['/things'].post.responses)).toEqual(['201', '400', '414', '415', '431', '503']);
    expect(Object.keys(paths['/things'].get.responses)).toEqual(['200', '400', '414', '431', '503']);
    expect(Object.keys(paths['/health/live'].get.responses)).toEqual(['200', '400', '414', '431']);
    expect(paths['/things'].post.responses['415'].content).toEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponseDto' } } });
  });
});
