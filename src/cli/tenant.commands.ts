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
