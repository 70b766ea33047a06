import { Body, Query, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, ErrorDetail } from '@cognition/platform/domain';

function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((e) => {
    const path = /^\d+$/.test(e.property) ? `${parent}[${e.property}]` : parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([code, message]) => ({ path, code, message }));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/**
 * DTO validation: unknown fields are a 400 UNKNOWN_FIELD, every other problem a 422
 * VALIDATION_FAILED; either way every problem is listed. One instance serves every route (it keeps
 * no state): the decorators below, and controllers that pick a body's DTO at run time.
 */
export const validationPipe = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  exceptionFactory: (errors) => {
    const details = flatten(errors);
    const unknown = details.filter((d) => d.code === 'whitelistValidation');
    if (unknown.length) {
      const names = unknown.map((d) => d.path).join(', ');
      return new DomainError('UNKNOWN_FIELD', `Unknown field(s): ${names}`, unknown.map((d) => ({ ...d, code: 'UNKNOWN_FIELD', message: `${d.path} is not a known field` })));
    }
    return new DomainError('VALIDATION_FAILED', `${details.length} validation problem(s)`, details);
  },
});

/**
 * A request body of a DTO type, validated and transformed: `@ValidBody() body: CreateFooRequestDto`.
 * Validation is declared per parameter, not as a global pipe: Nest runs a parameter with pipes
 * through an async chain of about ten promises, and a global pipe puts every route parameter and
 * `@TenantId()` through it for nothing (roughly 16 µs of a one-resource GET, docs/benchmarks.md).
 * `validation-coverage.spec.ts` checks that every DTO body and query of every controller has it.
 */
export const ValidBody = (): ParameterDecorator => Body(validationPipe);

/** The query string as a DTO, validated and transformed (numbers, booleans): `@ValidQuery() query: ListFooRequestDto`. */
export const ValidQuery = (): ParameterDecorator => Query(validationPipe);
