import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { DomainError } from '@cognition/platform/domain';
import { AuthenticatedRequest, NO_PRINCIPAL } from './api-key.auth';

/** The id of the request's API key (event streams count and watch their key). */
export const ApiKeyId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  // No key was checked: a @Public() route, or an app not served by createApp (which adds the check).
  if (!request.principal) throw new DomainError('UNAUTHORIZED', NO_PRINCIPAL);
  return request.principal.keyId;
});
