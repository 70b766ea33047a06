import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-tenant overrides of the API rate limit (SPEC section 1, "Rate limits and quotas"). NULL means
 * the instance default (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST). The API key check reads them with
 * the key (one join, cached with the key for API_KEY_CACHE_SECONDS), so a change takes effect within
 * that time. Set with ApiKeyService.setTenantRateLimit (or plain SQL).
 */
export class TenantRateLimits1764150710000 implements MigrationInterface {
  name = 'TenantRateLimits1764150710000';

  async up(q: QueryRunner): Promise<void> {
    // Positive integers or NULL: ApiKeyService.setTenantRateLimit checks (no CHECK constraint, which the entity could not describe).
    await q.query(`ALTER TABLE tenants ADD COLUMN rate_limit_per_second integer, ADD COLUMN rate_limit_burst integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants DROP COLUMN IF EXISTS rate_limit_burst, DROP COLUMN IF EXISTS rate_limit_per_second`);
  }
}
