import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ClsModule } from 'nestjs-cls';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { appTypeormOptions } from './orm-entities';
import { REQUEST_ID_HEADER } from './platform/http/request-id';
import { PlatformModule } from './platform/platform.module';
import { CORRELATION_ID } from './platform/outbox/outbox.writer';
import { EngineModule } from './modules/engine/engine.module';
import { WorkflowModule } from './modules/workflow/workflow.module';
import { AgentModule } from './modules/agent/agent.module';
import { TaskModule } from './modules/task/task.module';
import { TraceModule } from './modules/trace/trace.module';
import { MemoryModule } from './modules/memory/memory.module';
import { EventsModule } from './modules/events/events.module';

/** Health probes and metrics scrapes are not logged: they come every few seconds. */
function isProbe(url: string): boolean {
  return url.startsWith('/health') || url.startsWith('/metrics');
}

interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
}


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
            // Nest 11 route syntax (the default '*' is converted with a warning at every start).
            forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
            pinoHttp: {
              level: config.get('LOG_LEVEL'),
              genReqId: (req: RawRequest) => String(req.headers[REQUEST_ID_HEADER]),
              // originalUrl: the middleware layer may have rewritten `url` relative to its mount path.
              autoLogging: { ignore: (req: { url?: string; originalUrl?: string }) => isProbe(req.originalUrl ?? req.url ?? '') },
              redact: ['req.headers.authorization'],
            },
          }),
        }),
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          // No retries here: the entry points' start-up check has already waited for PostgreSQL (DB_CONNECT_TIMEOUT_SECONDS).
          useFactory: (config: AppConfig) => ({ ...appTypeormOptions(config.all), retryAttempts: 0 }),
        }),
        ClsModule.forRoot({
          global: true,
          // An interceptor (not a middleware): no extra middleware layer per request; guards need no CLS.
          interceptor: {
            mount: true,
            setup: (cls, context) => {
              const req = context.switchToHttp().getRequest<RawRequest>();
              cls.set(CORRELATION_ID, String(req.headers?.[REQUEST_ID_HEADER] ?? ''));
            },
          },
          plugins: [
            new ClsPluginTransactional({
              imports: [TypeOrmModule],
              adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }),
            }),
          ],
        }),
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
