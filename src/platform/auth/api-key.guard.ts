import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../domain';
import { ApiKeyService } from './api-key.service';
import { IS_PUBLIC } from './public.decorator';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: { tenantId: string; keyId: string };
}

/** Every route needs `Authorization: Bearer <key>` unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const value = Array.isArray(header) ? header[0] : header;
    const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
    if (!match) throw new DomainError('UNAUTHORIZED', 'Missing Authorization: Bearer <api key> header');
    const principal = await this.keys.verify(match[1]);
    if (!principal) throw new DomainError('UNAUTHORIZED', 'The API key is unknown or revoked');
    request.principal = principal;
    return true;
  }
}
