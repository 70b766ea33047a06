import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { ValidQuery } from '@cognition/platform/errors/validation.pipe';
import { ListEventsQuery } from '../contracts';
import { EventPageResponseDto } from './event.response.dto';
import { ListEventsRequestDto } from './list-events.request.dto';

@ApiTags('events')
@ApiBearerAuth()
@Controller('events')
export class EventsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    operationId: 'listEvents',
    summary: 'Your domain events, oldest first in store order, filtered by type, aggregate, a position to continue after, and time',
  })
  @ApiOkResponse({ type: EventPageResponseDto })
  @ApiProblems(400, 422)
  list(@TenantId() tenantId: string, @ValidQuery() query: ListEventsRequestDto): Promise<EventPageResponseDto> {
    const { limit, cursor, from, to, ...rest } = query;
    const filter = { ...rest, from: from === undefined ? undefined : new Date(from), to: to === undefined ? undefined : new Date(to) };
    return this.queries.execute(new ListEventsQuery(tenantId, filter, limit, cursor));
  }
}
