import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

export class ProblemErrorDto {
  @ApiPropertyOptional() path?: string;
  @ApiPropertyOptional({ description: 'RFC 6901 JSON pointer into the request body, e.g. /steps/2/params/url' }) pointer?: string;
  @ApiPropertyOptional() code?: string;
  @ApiProperty() message!: string;
}

/** RFC 9457 problem details (application/problem+json). */
export class ProblemResponseDto {
  @ApiProperty() type!: string;
  @ApiProperty() title!: string;
  @ApiProperty() status!: number;
  @ApiProperty() detail!: string;
  @ApiProperty({ example: 'WORKFLOW_NOT_FOUND' }) code!: string;
  @ApiPropertyOptional({ type: [ProblemErrorDto] }) errors?: ProblemErrorDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON, an unknown field or a bad parameter; a NUL or lone surrogate in any string (INVALID_STRING, naming the field), nesting deeper than JSON_MAX_DEPTH (JSON_TOO_DEEP), a cursor this API did not issue (INVALID_CURSOR)',
  401: 'Missing, unknown or revoked API key',
  404: 'Not found (or another tenant’s)',
  409: 'Conflict with the resource’s state or version',
  413: 'Body over 1 MB',
  414: 'A path parameter too long (URI_TOO_LONG)',
  415: 'A body that is not JSON (UNSUPPORTED_MEDIA_TYPE)',
  422: 'Invalid: every problem is listed in `errors`',
  431: 'Request headers too large (HEADERS_TOO_LARGE)',
  503: 'The database is not reachable right now (SERVICE_UNAVAILABLE): retry after `Retry-After` seconds',
  429: 'Over the API key’s rate limit (RATE_LIMITED): retry after `Retry-After` seconds; `RateLimit-*` headers say how much is left',
};

/** The response object of a problem+json answer with `status`. */
export function problemResponse(status: number): { description: string; content: Record<string, { schema: { $ref: string } }> } {
  return { description: DESCRIPTIONS[status] ?? 'A problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponseDto' } } } };
}

/** Documents the problem+json answers of an endpoint (401 and 429 come with every key-authenticated one). */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...[...new Set([401, 429, ...statuses])].map((status) =>
      ApiResponse({ status, ...problemResponse(status) }),
    ),
  );
}
