import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { DomainError } from '../domain';
import { newId } from '../ids/uuid';
import { TenantOrmEntity } from '../tenancy/tenant.orm-entity';
import { ApiKeyOrmEntity } from './api-key.orm-entity';

export interface IssuedApiKey {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  /** The whole key. Shown once; only its hash is stored. */
  key: string;
}

export interface ApiKeyPrincipal {
  tenantId: string;
  keyId: string;
}

const KEY_RE = /^cos_([A-Za-z0-9]{8})_[A-Za-z0-9_-]{20,}$/;
const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function randomPrefix(): string {
  return Array.from(randomBytes(8), (b) => ALPHANUM[b % ALPHANUM.length]).join('');
}

/** Tenants and API keys: keys are random, shown once, stored as a SHA-256 hash, compared in constant time. */
@Injectable()
export class ApiKeyService {
  /** Verified keys, by hash, for a few seconds, so a request costs no key lookup. */
  private readonly cache = new Map<string, { principal: ApiKeyPrincipal; until: number }>();
  private readonly cacheMs: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    config: AppConfig,
  ) {
    this.cacheMs = config.get('API_KEY_CACHE_SECONDS') * 1000;
  }

  async createTenant(name: string, id: string = newId()): Promise<TenantOrmEntity> {
    return this.db.getRepository(TenantOrmEntity).save({ id, name });
  }

  async listTenants(): Promise<TenantOrmEntity[]> {
    return this.db.getRepository(TenantOrmEntity).find({ order: { createdAt: 'ASC' } });
  }

  async createKey(tenantId: string, name: string, key?: string): Promise<IssuedApiKey> {
    const tenant = await this.db.getRepository(TenantOrmEntity).findOneBy({ id: tenantId });
    if (!tenant) throw new DomainError('TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist`);
    const whole = key ?? `cos_${randomPrefix()}_${randomBytes(24).toString('base64url')}`;
    const match = KEY_RE.exec(whole);
    if (!match) throw new DomainError('VALIDATION_FAILED', 'An API key must look like cos_<8 chars>_<secret>');
    const row = { id: newId(), tenantId, name, prefix: match[1], keyHash: sha256(whole).toString('hex'), revokedAt: null, lastUsedAt: null };
    await this.db.getRepository(ApiKeyOrmEntity).insert(row);
    return { id: row.id, tenantId, name, prefix: row.prefix, key: whole };
  }

  async listKeys(tenantId?: string): Promise<ApiKeyOrmEntity[]> {
    return this.db.getRepository(ApiKeyOrmEntity).find({
      where: tenantId ? { tenantId } : {},
      order: { createdAt: 'ASC' },
    });
  }

  async revokeKey(idOrPrefix: string): Promise<ApiKeyOrmEntity> {
    const repo = this.db.getRepository(ApiKeyOrmEntity);
    const byId = /^[0-9a-f-]{36}$/i.test(idOrPrefix) ? { id: idOrPrefix } : { prefix: idOrPrefix };
    const row = await repo.findOneBy({ ...byId, revokedAt: IsNull() });
    if (!row) throw new DomainError('API_KEY_NOT_FOUND', `No active API key ${idOrPrefix}`);
    row.revokedAt = new Date();
    await repo.save(row);
    for (const [hash, entry] of this.cache) if (entry.principal.keyId === row.id) this.cache.delete(hash);
    return row;
  }

  /** Creates a first tenant and this key when the database has no API key at all. */
  async bootstrap(key: string): Promise<IssuedApiKey | null> {
    return this.db.transaction(async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('cognitionos.bootstrap'))`);
      const count = await em.getRepository(ApiKeyOrmEntity).count();
      if (count > 0) return null;
      const tenant = await em.getRepository(TenantOrmEntity).save({ id: newId(), name: 'default' });
      const match = KEY_RE.exec(key);
      if (!match) throw new Error('BOOTSTRAP_API_KEY is not a valid key');
      const row = { id: newId(), tenantId: tenant.id, name: 'bootstrap', prefix: match[1], keyHash: sha256(key).toString('hex') };
      await em.getRepository(ApiKeyOrmEntity).insert(row);
      return { id: row.id, tenantId: tenant.id, name: row.name, prefix: row.prefix, key };
    });
  }

  /** Returns the key's tenant, or null for an unknown, malformed or revoked key. */
  async verify(key: string): Promise<ApiKeyPrincipal | null> {
    const match = KEY_RE.exec(key);
    if (!match) return null;
    const hash = sha256(key);
    const cacheKey = hash.toString('hex');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.principal;
    const row = await this.db.getRepository(ApiKeyOrmEntity).findOneBy({ prefix: match[1] });
    if (!row || row.revokedAt) return null;
    if (!timingSafeEqual(Buffer.from(row.keyHash, 'hex'), hash)) return null;
    const principal = { tenantId: row.tenantId, keyId: row.id };
    if (this.cacheMs > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(cacheKey, { principal, until: Date.now() + this.cacheMs });
    }
    void this.touch(row);
    return principal;
  }

  private async touch(row: ApiKeyOrmEntity): Promise<void> {
    if (row.lastUsedAt && Date.now() - row.lastUsedAt.getTime() < 60_000) return;
    await this.db
      .getRepository(ApiKeyOrmEntity)
      .update({ id: row.id }, { lastUsedAt: new Date() })
      .catch(() => undefined);
  }
}
