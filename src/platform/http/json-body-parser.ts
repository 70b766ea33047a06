import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError } from '../domain';

/**
 * JSON bodies through Fastify's own secure parser (prototype-poisoning safe), with a parse failure
 * reported as our MALFORMED_JSON problem instead of a generic 400. Other content types get 415.
 */
export function useJsonBodyParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('text/plain');
  app.useBodyParser('application/json', {}, (request, body, done) => {
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body);
    if (text.trim() === '') return done(null, undefined);
    parse(request as never, text, (error, value) => {
      if (error) return done(new DomainError('MALFORMED_JSON', `The request body is not valid JSON: ${error.message}`), undefined);
      done(null, value);
    });
  });
}
