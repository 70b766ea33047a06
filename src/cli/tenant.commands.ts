import { Command, CommandRunner, Option } from 'nest-commander';
import { ApiKeyService } from '../platform/auth/api-key.service';

@Command({ name: 'tenant:create', arguments: '<name>', description: 'Create a tenant (and, with --with-key, its first API key)' })
export class TenantCreateCommand extends CommandRunner {
  constructor(private readonly keys: ApiKeyService) {
    super();
  }

  async run([name]: string[], options: { withKey?: boolean }): Promise<void> {
    const tenant = await this.keys.createTenant(name);
    const out: Record<string, unknown> = { tenantId: tenant.id, name: tenant.name };
    if (options.withKey) {
      const key = await this.keys.createKey(tenant.id, 'default');
      Object.assign(out, { apiKeyId: key.id, apiKey: key.key, note: 'The key is shown once; store it now.' });
    }
    console.log(JSON.stringify(out, null, 2));
  }

  @Option({ flags: '--with-key', description: 'also create an API key for it' })
  parseWithKey(): boolean {
    return true;
  }
}

@Command({ name: 'tenant:list', description: 'List tenants' })
export class TenantListCommand extends CommandRunner {
  constructor(private readonly keys: ApiKeyService) {
    super();
  }

  async run(): Promise<void> {
    const tenants = await this.keys.listTenants();
    console.log(JSON.stringify(tenants.map((t) => ({ tenantId: t.id, name: t.name, createdAt: t.createdAt })), null, 2));
  }
}

@Command({
  name: 'tenant:rate-limit',
  arguments: '<tenantId>',
  description: "Set a tenant's own rate limit per API key (--per-second, --burst); --clear returns it to RATE_LIMIT_PER_SECOND / RATE_LIMIT_BURST",
})
export class TenantRateLimitCommand extends CommandRunner {
  constructor(private readonly keys: ApiKeyService) {
    super();
  }

  async run([tenantId]: string[], options: { perSecond?: number; burst?: number; clear?: boolean }): Promise<void> {
    const override = options.clear ? { perSecond: null, burst: null } : { perSecond: options.perSecond ?? null, burst: options.burst ?? null };
    await this.keys.setTenantRateLimit(tenantId, override);
    console.log(JSON.stringify({ tenantId, rateLimitPerSecond: override.perSecond, rateLimitBurst: override.burst }, null, 2));
  }

  @Option({ flags: '--per-second <n>', description: 'requests per second of each of its keys' })
  parsePerSecond(value: string): number {
    return Number(value);
  }

  @Option({ flags: '--burst <n>', description: 'burst of each of its keys' })
  parseBurst(value: string): number {
    return Number(value);
  }

  @Option({ flags: '--clear', description: 'use the instance defaults again' })
  parseClear(): boolean {
    return true;
  }
}
