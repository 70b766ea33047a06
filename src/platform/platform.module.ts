import { Global, Module, OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { TerminusModule } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { AppConfig } from '@cognition/config/app-config';
import { ApiKeyAuth } from './auth/api-key.auth';
import { BackgroundJobs } from './background/background-jobs';
import { PgListener } from './database/pg-listener';
import { BrokerRelays } from './outbox/broker/broker-relays';
import { configuredBrokers } from './outbox/broker/configured-brokers';
import { EVENT_BROKERS } from './outbox/broker/event-broker.port';
import { ApiKeyService } from './auth/api-key.service';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService, PoolStats } from './metrics/metrics.service';
import { setRepositoryHistogram } from './metrics/timed';
import { DurableDelivery } from './outbox/durable-delivery';
import { DurableSubscribers } from './outbox/durable-subscribers';
import { EventTypeRegistry } from './outbox/event-type.registry';
import { OutboxRelay } from './outbox/outbox.relay';
import { OutboxWriter } from './outbox/outbox.writer';
import { DeadLettersRetentionJob } from './outbox/dead-letters.retention-job';
import { DomainEventsRetentionJob } from './outbox/domain-events.retention-job';
import { IdempotencyKeysRetentionJob } from './retention/idempotency-keys.retention-job';
import { RetentionLoop } from './retention/retention-loop';
import { RetentionMetrics } from './retention/retention-metrics';
import { RetentionRunner } from './retention/retention-runner';
import { StepTypeCatalog } from './step-types/step-type-catalog';

/** Cross-cutting pieces every module uses: API keys, the outbox, metrics, health, retention. */
@Global()
@Module({
  // Terminus would log every failed check with a stack; the problem filter logs one line per 503 instead.
  imports: [DiscoveryModule, TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [
    ApiKeyService,
    ApiKeyAuth,
    MetricsService,
    BackgroundJobs,
    PgListener,
    EventTypeRegistry,
    DurableSubscribers,
    DurableDelivery,
    OutboxWriter,
    OutboxRelay,
    { provide: EVENT_BROKERS, inject: [AppConfig], useFactory: (config: AppConfig) => configuredBrokers(config.all) },
    BrokerRelays,
    StepTypeCatalog,
    RetentionMetrics,
    RetentionRunner,
    RetentionLoop,
    DomainEventsRetentionJob,
    DeadLettersRetentionJob,
    IdempotencyKeysRetentionJob,
  ],
  exports: [ApiKeyService, ApiKeyAuth, MetricsService, BackgroundJobs, PgListener, EventTypeRegistry, DurableSubscribers, DurableDelivery, OutboxWriter, OutboxRelay, StepTypeCatalog, RetentionRunner],
})
export class PlatformModule implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onModuleInit(): void {
    setRepositoryHistogram(this.metrics.repositoryDuration);
    this.metrics.watchPool(() => (this.db.driver as unknown as { master?: PoolStats }).master);
  }
}
