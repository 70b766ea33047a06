import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { ValidQuery } from '@cognition/platform/errors/validation.pipe';
import { GetTraceQuery, ListTracesQuery } from '../contracts';
import { ListTracesRequestDto } from './list-traces.request.dto';
import { TraceSpanPageResponseDto, TraceTreeResponseDto } from './trace.response.dto';

@ApiTags('traces')
@ApiBearerAuth()
@Controller('traces')
export class TracesController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ operationId: 'listTraces', summary: 'Spans, newest first, filtered by the traced entity and the span type' })
  @ApiOkResponse({ type: TraceSpanPageResponseDto })
  @ApiProblems(400, 422)
  list(@TenantId() tenantId: string, @ValidQuery() query: ListTracesRequestDto): Promise<TraceSpanPageResponseDto> {
    const { limit, cursor, ...filter } = query;
    return this.queries.execute(new ListTracesQuery(tenantId, filter, limit, cursor));
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getTrace', summary: 'A span with its whole subtree, durations, and token and cost totals at the root' })
  @ApiOkResponse({ type: TraceTreeResponseDto })
  @ApiProblems(404)
  get(@TenantId() tenantId: string, @Param('id') id: string): Promise<TraceTreeResponseDto> {
    return this.queries.execute(new GetTraceQuery(tenantId, id));
  }
}
