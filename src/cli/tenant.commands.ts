import { Command, CommandRunner, Option } from 'nest-commander';
import { ApiKeyService } from '@cognition/platform/auth/api-key.service';
import { CliDatabase } from './cli-database';

@Command({ name: 'tenant:create', arguments: '<name>', description: 'Create a tenant (and, with --with-key, its first API key)' })
export class TenantCreateCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly keys: ApiKeyService,
  ) {
    super();
  }

  async run([name]: string[], options: { withKey?: boolean }): Promise<void> {
    await this.database.open();
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
  constructor(
    private readonly database: CliDatabase,
    private readonly keys: ApiKeyService,
  ) {
    super();
  }

  async run(): Promise<void> {
    await this.database.open();
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
  constructor(
    private readonly database: CliDatabase,
    private readonly keys: ApiKeyService,
  ) {
    super();
  }

  async run([tenantId]: string[], options: { perSecond?: number; burst?: number; clear?: boolean }): Promise<void> {
    await this.database.open();
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

@Command({
  name: 'tenant:quota',
  arguments: '<tenantId>',
  description: "Set a tenant's cap on running steps (--max-running-steps); --clear returns it to TENANT_MAX_RUNNING_STEPS",
})
export class TenantQuotaCommand extends CommandRunner {
  constructor(private readonly database: CliDatabase) {
    super();
  }

  async run([tenantId]: string[], options: { maxRunningSteps?: number; clear?: boolean }): Promise<void> {
    const max = options.maxRunningSteps;
    if (Boolean(options.clear) === (max !== undefined)) throw new Error('give either --max-running-steps <n> or --clear');
    if (max !== undefined && !(Number.isInteger(max) && max >= 0)) throw new Error('--max-running-steps must be a whole number, 0 or more');
    const db = await this.database.open();
    const [tenant] = await db.query(`SELECT id FROM tenants WHERE id::text = $1`, [tenantId]);
    if (!tenant) throw new Error(`Tenant ${tenantId} does not exist`);
    if (max === undefined) await db.query(`DELETE FROM tenant_quotas WHERE tenant_id = $1`, [tenant.id]);
    else {
      await db.query(
        `INSERT INTO tenant_quotas (tenant_id, max_running_steps) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET max_running_steps = EXCLUDED.max_running_steps, updated_at = now()`,
        [tenant.id, max],
      );
    }
    console.log(JSON.stringify({ tenantId: tenant.id, maxRunningSteps: max ?? null, note: max === undefined ? 'TENANT_MAX_RUNNING_STEPS applies' : undefined }, null, 2));
  }

  @Option({ flags: '--max-running-steps <n>', description: 'at most this many of its steps run at once, across every worker' })
  parseMax(value: string): number {
    return /^\d+$/.test(value) ? Number(value) : NaN;
  }

  @Option({ flags: '--clear', description: 'use the instance default (TENANT_MAX_RUNNING_STEPS) again' })
  parseClear(): boolean {
    return true;
  }
}
