import { Command, CommandRunner, Option } from 'nest-commander';
import { ApiKeyService } from '@cognition/platform/auth/api-key.service';
import { CliDatabase } from './cli-database';

interface KeyOptions {
  tenant?: string;
  name?: string;
}

@Command({ name: 'apikey:create', description: 'Create an API key for a tenant; the key is printed once' })
export class ApiKeyCreateCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly keys: ApiKeyService,
  ) {
    super();
  }

  async run(_: string[], options: KeyOptions): Promise<void> {
    if (!options.tenant) throw new Error('--tenant <tenantId> is required');
    await this.database.open();
    const key = await this.keys.createKey(options.tenant, options.name ?? 'cli');
    console.log(JSON.stringify({ apiKeyId: key.id, tenantId: key.tenantId, name: key.name, apiKey: key.key, note: 'The key is shown once; store it now.' }, null, 2));
  }

  @Option({ flags: '-t, --tenant <tenantId>', description: 'the tenant the key belongs to' })
  parseTenant(value: string): string {
    return value;
  }

  @Option({ flags: '-n, --name <name>', description: 'a label for the key' })
  parseName(value: string): string {
    return value;
  }
}

@Command({ name: 'apikey:list', description: 'List API keys (never the keys themselves)' })
export class ApiKeyListCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly keys: ApiKeyService,
  ) {
    super();
  }

  async run(_: string[], options: KeyOptions): Promise<void> {
    await this.database.open();
    const rows = await this.keys.listKeys(options.tenant);
    const out = rows.map((k) => ({ apiKeyId: k.id, tenantId: k.tenantId, name: k.name, prefix: `cos_${k.prefix}_…`, createdAt: k.createdAt, revokedAt: k.revokedAt, lastUsedAt: k.lastUsedAt }));
    console.log(JSON.stringify(out, null, 2));
  }

  @Option({ flags: '-t, --tenant <tenantId>', description: 'only this tenant' })
  parseTenant(value: string): string {
    return value;
  }
}

@Command({ name: 'apikey:revoke', arguments: '<idOrPrefix>', description: 'Revoke an API key by id or by its 8-character prefix' })
export class ApiKeyRevokeCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly keys: ApiKeyService,
  ) {
    super();
  }

  async run([idOrPrefix]: string[]): Promise<void> {
    await this.database.open();
    const key = await this.keys.revokeKey(idOrPrefix);
    console.log(JSON.stringify({ apiKeyId: key.id, revokedAt: key.revokedAt }, null, 2));
  }
}
