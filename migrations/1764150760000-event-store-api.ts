import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store API (issue 13): dead letters, replays of one subscriber for one tenant, the retry
 * state of durable subscribers, and the index that serves a tenant's events in store order.
 */
export class EventStoreApi1764150760000 implements MigrationInterface {
  name = 'EventStoreApi1764150760000';

  async up(q: QueryRunner): Promise<void> {
    // GET /events, replays and the per-tenant lag of GET /subscriptions read one tenant's events in
    // the relay's (tx_id, position) order; without it they scan every tenant's events or sort.
    await q.query(`CREATE INDEX idx_domain_events_tenant_order ON domain_events (tenant_id, tx_id, position)`);

    // A subscriber whose next event failed: which event, how many attempts so far, when the next
    // one is due and the last error. NULL event: nothing failing.
    await q.query(`ALTER TABLE event_subscriptions
      ADD COLUMN retry_event_id uuid,
      ADD COLUMN retry_attempts integer NOT NULL DEFAULT 0,
      ADD COLUMN retry_at timestamptz,
      ADD COLUMN retry_error jsonb`);

    await q.query(`CREATE TABLE dead_letters (
      id uuid NOT NULL,
      subscriber text NOT NULL,
      event_id uuid NOT NULL,
      position bigint NOT NULL,
      tenant_id uuid NOT NULL,
      type text NOT NULL,
      error jsonb NOT NULL,
      attempts integer NOT NULL,
      status text NOT NULL DEFAULT 'dead',
      retry_requested_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      CONSTRAINT pk_dead_letters PRIMARY KEY (id),
      CONSTRAINT ck_dead_letters_status CHECK (status IN ('dead', 'retried', 'discarded')),
      CONSTRAINT ck_dead_letters_resolved CHECK ((status = 'dead') = (resolved_at IS NULL)),
      CONSTRAINT ck_dead_letters_attempts CHECK (attempts >= 1))`);
    // One open dead letter per (subscriber, event): a replay that fails on it again adds its attempts.
    await q.query(`CREATE UNIQUE INDEX uq_dead_letters_open ON dead_letters (subscriber, event_id) WHERE status = 'dead'`);
    await q.query(`CREATE INDEX idx_dead_letters_tenant ON dead_letters (tenant_id, id)`);
    await q.query(`CREATE INDEX idx_dead_letters_tenant_open ON dead_letters (tenant_id, subscriber) WHERE status = 'dead'`);
    await q.query(`CREATE INDEX idx_dead_letters_retry_requested ON dead_letters (retry_requested_at) WHERE retry_requested_at IS NOT NULL AND status = 'dead'`);
    await q.query(`COMMENT ON TABLE dead_letters IS 'Events a durable subscriber failed on after its retries; retried or discarded over the API and CLI'`);

    await q.query(`CREATE TABLE subscription_replays (
      id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      subscriber text NOT NULL,
      from_position bigint,
      aggregate_id text,
      event_type text,
      upto_tx_id xid8 NOT NULL,
      upto_position bigint NOT NULL,
      cursor_tx_id xid8 NOT NULL DEFAULT '0',
      cursor_position bigint NOT NULL DEFAULT 0,
      status text NOT NULL DEFAULT 'pending',
      delivered integer NOT NULL DEFAULT 0,
      dead_lettered integer NOT NULL DEFAULT 0,
      retry_event_id uuid,
      retry_attempts integer NOT NULL DEFAULT 0,
      retry_at timestamptz,
      retry_error jsonb,
      error jsonb,
      lease_owner text,
      lease_expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_subscription_replays PRIMARY KEY (id),
      CONSTRAINT ck_subscription_replays_status CHECK (status IN ('pending', 'running', 'completed', 'failed')),
      CONSTRAINT ck_subscription_replays_one_filter CHECK (num_nonnulls(from_position, aggregate_id, event_type) = 1))`);
    await q.query(`CREATE INDEX idx_subscription_replays_open ON subscription_replays (created_at) WHERE status IN ('pending', 'running')`);
    await q.query(`CREATE INDEX idx_subscription_replays_tenant ON subscription_replays (tenant_id, id)`);
    await q.query(`COMMENT ON TABLE subscription_replays IS 'Replays of one durable subscriber for one tenant: filter, own cursor, progress'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subscription_replays`);
    await q.query(`DROP TABLE dead_letters`);
    await q.query(`ALTER TABLE event_subscriptions DROP COLUMN retry_error, DROP COLUMN retry_at, DROP COLUMN retry_attempts, DROP COLUMN retry_event_id`);
    await q.query(`DROP INDEX idx_domain_events_tenant_order`);
  }
}
