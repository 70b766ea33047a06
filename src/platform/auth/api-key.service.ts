import { Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { AppConfig } from '@cognition/config/app-config';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { DomainError } from '@cognition/platform/domain';
import { newId } from '@cognition/platform/ids/uuid';
import { TenantOrmEntity } from '@cognition/platform/tenancy/tenant.orm-entity';
import { RateLimitOverride } from '@cognition/platform/rate-limit/api-rate-limiter';
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
  /** The tenant's override of the rate limit (migration TenantRateLimits), null for the defaults. */
  rateLimit?: RateLimitOverride | null;
}

/** The key row and its tenant's rate-limit override, as verify reads them. */
interface KeyRow {
  id: string;
  tenant_id: string;
  key_hash: string;
  revoked_at: Date | null;
  last_used_at: Date | null;
  rate_limit_per_second: number | null;
  rate_limit_burst: number | null;
}

const KEY_BY_PREFIX = `
  SELECT k.id, k.tenant_id, k.key_hash, k.revoked_at, k.last_used_at, t.rate_limit_per_second, t.rate_limit_burst
  FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
  WHERE k.prefix = $1`;

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
export class ApiKeyService implements OnApplicationShutdown {
  /**
   * Keys verified in the last API_KEY_CACHE_SECONDS, by the whole key, so a request costs one Map
   * lookup (no key query, no SHA-256). Only keys that verified are ever added; the keys live in this
   * process's memory as they do in every request that carries them, and never leave it.
   */
  private readonly cache = new Map<string, { principal: ApiKeyPrincipal; until: number }>();
  private readonly cacheMs: number;
  /** What to call when a key is revoked, by key id (open event streams). */
  private readonly revocationWatchers = new Map<string, Set<() => void>>();
  private revocationLoop?: BackgroundLoop;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    config: AppConfig,
    // Absent in the CLI (which watches no stream).
    @Optional() private readonly jobs?: BackgroundJobs,
  ) {
    this.cacheMs = config.get('API_KEY_CACHE_SECONDS') * 1000;
  }

  /**
   * How often watched keys are checked for revocation: min(API_KEY_CACHE_SECONDS, 5 s), at least
   * 1 s — a revoked key's streams end within the time its cached verification could still let a
   * request through.
   */
  get revocationCheckMs(): number {
    return Math.max(1000, Math.min(this.cacheMs, 5000));
  }

  /**
   * Calls `onRevoked` (once) when the key is revoked: at once when it is revoked through this
   * instance, otherwise at the next check of every watched key (one query for all of them, every
   * `revocationCheckMs`). Returns the function that stops watching.
   */
  watchRevocation(keyId: string, onRevoked: () => void): () => void {
    let watchers = this.revocationWatchers.get(keyId);
    if (!watchers) this.revocationWatchers.set(keyId, (watchers = new Set()));
    let called = false;
    const once = () => {
      if (called) return;
      called = true;
      onRevoked();
    };
    watchers.add(once);
    this.revocationLoop ??= this.jobs?.start({ name: 'auth.key-revocations', everyMs: this.revocationCheckMs, run: () => this.checkRevocations() });
    return () => {
      const current = this.revocationWatchers.get(keyId);
      current?.delete(once);
      if (current?.size === 0) this.revocationWatchers.delete(keyId);
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs?.stop(this.revocationLoop);
    this.revocationLoop = undefined;
  }

  /** One pass of the revocation check: every watched key that is revoked (or gone) tells its watchers. */
  private async checkRevocations(): Promise<void> {
    if (this.revocationWatchers.size === 0) return;
    const ids = [...this.revocationWatchers.keys()];
    const live: { id: string }[] = await this.db.query(`SELECT id FROM api_keys WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL`, [ids]);
    const active = new Set(live.map((r) => r.id));
    for (const id of ids) if (!active.has(id)) this.revoked(id);
  }

  private revoked(keyId: string): void {
    const watchers = this.revocationWatchers.get(keyId);
    this.revocationWatchers.delete(keyId);
    for (const watcher of watchers ?? []) watcher();
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
    for (const [cachedKey, entry] of this.cache) if (entry.principal.keyId === row.id) this.cache.delete(cachedKey);
    this.revoked(row.id);
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

  /** The key's tenant when the key was verified in the last API_KEY_CACHE_SECONDS; undefined otherwise (then call verify). */
  cached(key: string): ApiKeyPrincipal | undefined {
    if (this.cache.size === 0) return undefined;
    const entry = this.cache.get(key);
    return entry && entry.until > Date.now() ? entry.principal : undefined;
  }

  /** Returns the key's tenant, or null for an unknown, malformed or revoked key. */
  async verify(key: string): Promise<ApiKeyPrincipal | null> {
    const match = KEY_RE.exec(key);
    if (!match) return null;
    const cached = this.cached(key);
    if (cached) return cached;
    const hash = sha256(key);
    const [row]: KeyRow[] = await this.db.query(KEY_BY_PREFIX, [match[1]]);
    if (!row || row.revoked_at) return null;
    if (!timingSafeEqual(Buffer.from(row.key_hash, 'hex'), hash)) return null;
    const override = row.rate_limit_per_second !== null || row.rate_limit_burst !== null ? { perSecond: row.rate_limit_per_second, burst: row.rate_limit_burst } : null;
    const principal: ApiKeyPrincipal = { tenantId: row.tenant_id, keyId: row.id, rateLimit: override };
    if (this.cacheMs > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { principal, until: Date.now() + this.cacheMs });
    }
    void this.touch(row.id, row.last_used_at);
    return principal;
  }

  /**
   * Sets (or, with nulls, clears) a tenant's rate-limit override. Instances see it when their cached
   * key verification expires (API_KEY_CACHE_SECONDS); this instance at once.
   */
  async setTenantRateLimit(tenantId: string, override: RateLimitOverride): Promise<void> {
    for (const value of [override.perSecond, override.burst]) {
      if (value !== null && (!Number.isInteger(value) || value < 1)) throw new DomainError('VALIDATION_FAILED', 'A rate limit is a positive integer or null');
    }
    const result: [unknown[], number] = await this.db.query(`UPDATE tenants SET rate_limit_per_second = $2, rate_limit_burst = $3, updated_at = now() WHERE id = $1`, [tenantId, override.perSecond, override.burst]);
    if (result[1] === 0) throw new DomainError('TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist`);
    for (const [cachedKey, entry] of this.cache) if (entry.principal.tenantId === tenantId) this.cache.delete(cachedKey);
  }

  private async touch(id: string, lastUsedAt: Date | null): Promise<void> {
    if (lastUsedAt && Date.now() - new Date(lastUsedAt).getTime() < 60_000) return;
    await this.db
      .getRepository(ApiKeyOrmEntity)
      .update({ id }, { lastUsedAt: new Date() })
      .catch(() => undefined);
  }
}
