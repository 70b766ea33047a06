import { Module } from '@nestjs/common';

/** Traces: the span tree of every execution, step, task, agent run, model call and tool call, written from events. */
@Module({
  controllers: [],
  providers: [],
})
export class TraceModule {}
