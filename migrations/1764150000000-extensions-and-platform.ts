import { MigrationInterface, QueryRunner } from 'typeorm';

/** Extensions, tenants, API keys, and the transactional outbox with its subscriber checkpoints. */
export class ExtensionsAndPlatform1764150000000 implements MigrationInterface {
  name = 'ExtensionsAndPlatform1764150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS vector`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS ltree`);

    await q.query(`CREATE TABLE tenants (
      id uuid NOT NULL,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_tenants" PRIMARY KEY (id))`);

    await q.query(`CREATE TABLE api_keys (
      id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      name text NOT NULL,
      prefix text NOT NULL,
      key_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      last_used_at timestamptz,
      CONSTRAINT "PK_api_keys" PRIMARY KEY (id),
      CONSTRAINT fk_api_keys_tenant FOREIGN KEY (tenant_id) REFERENCES tenants(id) ON DELETE CASCADE)`);
    await q.query(`CREATE INDEX idx_api_keys_tenant ON api_keys (tenant_id)`);
    await q.query(`CREATE UNIQUE INDEX uq_api_keys_prefix ON api_keys (prefix)`);

    // The outbox. tx_id orders events by transaction so the relay never reads past a commit still
    // in flight (it only reads tx_id below the oldest running transaction).
    await q.query(`CREATE TABLE domain_events (
      position bigserial NOT NULL,
      id uuid NOT NULL,
      tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      tenant_id uuid NOT NULL,
      type text NOT NULL,
      aggregate_type text NOT NULL,
      aggregate_id text NOT NULL,
      payload jsonb NOT NULL,
      occurred_at timestamptz NOT NULL,
      correlation_id text,
      CONSTRAINT pk_domain_events PRIMARY KEY (position),
      CONSTRAINT uq_domain_events_id UNIQUE (id))`);
    await q.query(`CREATE INDEX idx_domain_events_tx ON domain_events (tx_id, position)`);
    await q.query(`CREATE INDEX idx_domain_events_aggregate ON domain_events (tenant_id, aggregate_id, position)`);
    await q.query(`CREATE FUNCTION cognitionos_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('cognitionos_events', ''); RETURN NULL; END $$`);
    await q.query(`CREATE TRIGGER trg_domain_events_notify AFTER INSERT ON domain_events
      FOR EACH STATEMENT EXECUTE FUNCTION cognitionos_notify_events()`);

    await q.query(`CREATE TABLE event_subscriptions (
      name text NOT NULL,
      last_tx_id xid8 NOT NULL DEFAULT '0',
      last_position bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_event_subscriptions PRIMARY KEY (name))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_subscriptions`);
    await q.query(`DROP TRIGGER trg_domain_events_notify ON domain_events`);
    await q.query(`DROP FUNCTION cognitionos_notify_events()`);
    await q.query(`DROP TABLE domain_events`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE tenants`);
    // Extensions stay: other schemas may use them, and dropping them needs superuser rights.
  }
}
