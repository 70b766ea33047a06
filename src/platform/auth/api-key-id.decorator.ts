import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AuthenticatedRequest } from './api-key.guard';

/** The id of the request's API key (event streams count and watch their key). */
export const ApiKeyId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.principal) throw new Error('ApiKeyId used on a public route');
  return request.principal.keyId;
});
