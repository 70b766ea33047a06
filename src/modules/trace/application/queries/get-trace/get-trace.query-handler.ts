import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../../../platform/domain';
import { isUuid } from '../../../../../platform/ids/uuid';
import { GetTraceQuery, TraceTree } from '../../../contracts';
import { buildTraceTree } from '../../../domain/span-tree';
import { TraceReadModel } from '../../../infrastructure/trace-read-model';

@QueryHandler(GetTraceQuery)
export class GetTraceQueryHandler implements IQueryHandler<GetTraceQuery, TraceTree> {
  constructor(private readonly traces: TraceReadModel) {}

  async execute({ tenantId, spanId }: GetTraceQuery): Promise<TraceTree> {
    const tree = isUuid(spanId) ? buildTraceTree(await this.traces.subtree(tenantId, spanId), spanId) : null;
    if (!tree) throw new DomainError('TRACE_NOT_FOUND', `Trace span ${spanId} not found`);
    return tree;
  }
}
