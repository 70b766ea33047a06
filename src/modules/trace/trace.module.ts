import { Module } from '@nestjs/common';
import { TracesController } from './api/traces.controller';
import { ProjectSpansOnDomainEventsEventHandler } from './application/event-handlers/project-spans-on-domain-events.event-handler';
import { GetTraceQueryHandler } from './application/queries/get-trace/get-trace.query-handler';
import { ListTracesQueryHandler } from './application/queries/list-traces/list-traces.query-handler';
import { TraceSpanRepository } from './domain/trace-span.repository.port';
import { TraceReadModel } from './infrastructure/trace-read-model';
import { TraceSpansRetentionJob } from './infrastructure/trace-spans.retention-job';
import { TypeOrmTraceSpanRepository } from './infrastructure/typeorm-trace-span.repository';

/** Traces: the span tree of every execution, step, task, agent run, model call and tool call, written from events. */
@Module({
  controllers: [TracesController],
  providers: [
    { provide: TraceSpanRepository, useClass: TypeOrmTraceSpanRepository },
    TraceReadModel,
    ProjectSpansOnDomainEventsEventHandler,
    GetTraceQueryHandler,
    ListTracesQueryHandler,
    TraceSpansRetentionJob,
  ],
})
export class TraceModule {}
