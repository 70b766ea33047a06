import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Client } from 'pg';
import { AppConfig } from '@cognition/config/app-config';
import { pgClientConfig } from '@cognition/platform/database/pg-connection';
import { BackgroundJobs } from '@cognition/platform/background/background-jobs';
import { BackgroundLoop } from '@cognition/platform/background/background-loop';
import { OutboxWriter } from '@cognition/platform/outbox/outbox.writer';
import { ApplyMemoryPolicyCommand, MemoryDeleted, MemoryRemovedFromCollection } from '../../contracts';
import { EmbeddingModels } from '../../domain/embedding-models.port';
import { MemoryMaintenanceSql } from '../../infrastructure/memory-maintenance.sql';
import { MemoryPolicyReads } from '../../infrastructure/memory-policy.reads';
import { MemorySql } from '../../infrastructure/memory-sql';

/** The session advisory lock that keeps one maintenance run at a time across every instance. */
export const MAINTENANCE_LOCK = 'cognitionos.memory-maintenance';
const BATCH = 1000;

export interface MaintenanceReport {
  policiesApplied: number;
  policiesFailed: number;
  compressed: number;
  archived: number;
  deleted: number;
  evicted: number;
  /** By policies and by the expiry sweep. */
  expired: number;
  purged: number;
  ivfflatIndexes: string[];
}

/**
 * The memory maintenance job, every MEMORY_MAINTENANCE_INTERVAL_MS in processes with WORKER_ENABLED:
 * 1. applies every enabled lifecycle policy (each in its own transaction; one failing policy is
 *    logged and the others still run);
 * 2. soft-deletes every expired memory (expiresAt passed), policy or not: an expiry is the memory's
 *    own instruction, so it applies whatever the importance;
 * 3. purges (hard DELETE) memories soft-deleted more than MEMORY_RETENTION_DAYS ago;
 * 4. with MEMORY_INDEX_TYPE=ivfflat, builds the IVFFlat indexes of models that reached 50 × lists rows.
 * One run at a time across instances: a session advisory lock on a dedicated connection (released
 * when the process dies); an instance that finds it taken skips the run.
 */
@Injectable()
export class MemoryMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MemoryMaintenance.name);
  private loop?: BackgroundLoop;
  private running?: Promise<MaintenanceReport | null>;

  constructor(
    private readonly config: AppConfig,
    private readonly commands: CommandBus,
    private readonly policies: MemoryPolicyReads,
    private readonly store: MemoryMaintenanceSql,
    private readonly sql: MemorySql,
    private readonly outbox: OutboxWriter,
    private readonly jobs: BackgroundJobs,
    @Optional() private readonly models?: EmbeddingModels,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.get('WORKER_ENABLED')) return;
    const every = this.config.get('MEMORY_MAINTENANCE_INTERVAL_MS');
    // The first run waits a full interval, as before; a failed run is retried with backoff (at most every minute).
    this.loop = this.jobs.start({
      name: 'memory.maintenance',
      everyMs: every,
      firstAfterInterval: true,
      backoffMs: Math.min(every, 5000),
      maxBackoffMs: Math.min(every, 60_000),
      run: async () => void (await this.runOnce()),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs.stop(this.loop);
    await this.running?.catch(() => undefined);
  }

  /** One run now; null when another instance (or this one) is running it. */
  runOnce(): Promise<MaintenanceReport | null> {
    if (this.running) return Promise.resolve(null);
    this.running = this.locked().finally(() => (this.running = undefined));
    return this.running;
  }

  private async locked(): Promise<MaintenanceReport | null> {
    const client = new Client(pgClientConfig(this.config.all, 'cognition-os-memory-maintenance'));
    client.on('error', () => undefined); // a lost session fails the query in progress, which fails the run
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    try {
      const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [MAINTENANCE_LOCK]);
      if (!rows[0].ok) return null;
      try {
        return await this.run();
      } finally {
        await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [MAINTENANCE_LOCK]);
      }
    } finally {
      await client.end();
    }
  }

  private async run(): Promise<MaintenanceReport> {
    const report: MaintenanceReport = { policiesApplied: 0, policiesFailed: 0, compressed: 0, archived: 0, deleted: 0, evicted: 0, expired: 0, purged: 0, ivfflatIndexes: [] };
    for (const { tenantId, policyId } of await this.policies.enabled()) {
      try {
        const done = await this.commands.execute(new ApplyMemoryPolicyCommand(tenantId, policyId, false));
        report.policiesApplied++;
        report.compressed += done.compressed.reduce((n, c) => n + c.memoryIds.length, 0);
        report.archived += done.archived.length;
        report.deleted += done.deleted.length;
        report.evicted += done.evicted.length;
        report.expired += done.expired.length;
      } catch (error) {
        report.policiesFailed++;
        this.logger.warn(`memory policy ${policyId} (tenant ${tenantId}) failed: ${(error as Error).message}`);
      }
    }
    report.expired += await this.expireAll();
    report.purged = await this.purgeAll();
    if (this.config.get('MEMORY_INDEX_TYPE') === 'ivfflat' && this.models) report.ivfflatIndexes = await this.models.ensureIvfflatIndexes();
    return report;
  }

  private async expireAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.sql.transaction(async () => {
        const { expired, removed } = await this.store.expireBatch(BATCH);
        await this.outbox.append([
          ...expired.map((m) => new MemoryDeleted(m.tenantId, m.id, { memoryId: m.id, namespace: m.namespace, reason: 'expired', purged: false })),
          ...removed.map((r) => new MemoryRemovedFromCollection(r.tenantId, r.collectionId, { collectionId: r.collectionId, memoryId: r.memoryId, reason: 'memory deleted' })),
        ]);
        return expired.length;
      });
      total += n;
      if (n < BATCH) return total;
    }
  }

  private async purgeAll(): Promise<number> {
    const days = this.config.get('MEMORY_RETENTION_DAYS');
    let total = 0;
    for (;;) {
      const n = await this.sql.transaction(async () => {
        const purged = await this.store.purgeBatch(days, BATCH);
        await this.outbox.append(purged.map((m) => new MemoryDeleted(m.tenantId, m.id, { memoryId: m.id, namespace: m.namespace, reason: `retention of ${days} days passed`, purged: true })));
        return purged.length;
      });
      total += n;
      if (n < BATCH) return total;
    }
  }
}
