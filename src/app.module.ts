import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ClsModule } from 'nestjs-cls';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { appTypeormOptions } from './orm-entities';
import { PlatformModule } from './platform/platform.module';
import { EngineModule } from './modules/engine/engine.module';
import { WorkflowModule } from './modules/workflow/workflow.module';
import { AgentModule } from './modules/agent/agent.module';
import { TaskModule } from './modules/task/task.module';
import { TraceModule } from './modules/trace/trace.module';
import { MemoryModule } from './modules/memory/memory.module';
import { EventsModule } from './modules/events/events.module';


/**
 * The infrastructure an application needs to host our modules: config, logs, TypeORM, CLS
 * transactions, CQRS and the platform. An application that imports the feature modules into its
 * own Nest app imports this once.
 */
@Module({})
export class CognitionOsCoreModule {
  static forRoot(): DynamicModule {
    return {
      module: CognitionOsCoreModule,
      global: true,
      imports: [
        ConfigModule.forRoot(),
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            // No pino-http middleware: createApp's Fastify hooks (platform/http/request-context.ts) bind
            // the request logger and write the access log; pino-http here only builds the root logger
            // (PinoLogger.root: its serializers and redaction).
            forRoutes: [],
            pinoHttp: {
              level: config.get('LOG_LEVEL'),
              redact: ['req.headers.authorization'],
            },
          }),
        }),
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          // No retries here: the entry points' start-up check has already waited for PostgreSQL (DB_CONNECT_TIMEOUT_SECONDS).
          useFactory: (config: AppConfig) => ({ ...appTypeormOptions(config.all), retryAttempts: 0 }),
        }),
        // ClsService and the transactions plugin only: ClsModule.forRoot would also register a global
        // guard and a global interceptor (no-ops when not mounted) that every request would pass
        // through. createApp's preHandler hook (platform/http/request-context.ts) opens each request's
        // CLS context with its correlation id.
        {
          ...ClsModule.registerPlugins([
            new ClsPluginTransactional({
              imports: [TypeOrmModule],
              adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }),
            }),
          ]),
          global: true,
        },
        CqrsModule.forRoot(),
        PlatformModule,
      ],
      exports: [ConfigModule, TypeOrmModule, CqrsModule, PlatformModule],
    };
  }
}

@Module({
  imports: [CognitionOsCoreModule.forRoot(), WorkflowModule, EngineModule, TaskModule, AgentModule, TraceModule, MemoryModule, EventsModule],
})
export class AppModule {}
