import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { GetTraceQuery, TraceTree } from '@cognition/trace/contracts';
import { buildTraceTree } from '@cognition/trace/domain/span-tree';
import { TraceReadModel } from '@cognition/trace/infrastructure/trace-read-model';

@QueryHandler(GetTraceQuery)
export class GetTraceQueryHandler implements IQueryHandler<GetTraceQuery, TraceTree> {
  constructor(private readonly traces: TraceReadModel) {}

  async execute({ tenantId, spanId }: GetTraceQuery): Promise<TraceTree> {
    const tree = isUuid(spanId) ? buildTraceTree(await this.traces.subtree(tenantId, spanId), spanId) : null;
    if (!tree) throw new DomainError('TRACE_NOT_FOUND', `Trace span ${spanId} not found`);
    return tree;
  }
}
