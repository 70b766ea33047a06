import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { ValidBody } from '@cognition/platform/errors/validation.pipe';
import { GetReplayQuery, ListSubscriptionsQuery, ReplaySubscriptionCommand } from '../contracts';
import { ReplaySubscriptionRequestDto } from './replay.request.dto';
import { ReplayResponseDto } from './replay.response.dto';
import { SubscriptionListResponseDto } from './subscription.response.dto';

@ApiTags('events')
@ApiBearerAuth()
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listSubscriptions', summary: 'Durable subscribers: checkpoint, state, and your lag and dead letters' })
  @ApiOkResponse({ type: SubscriptionListResponseDto })
  @ApiProblems()
  list(@TenantId() tenantId: string): Promise<SubscriptionListResponseDto> {
    return this.queries.execute(new ListSubscriptionsQuery(tenantId));
  }

  @Post(':name/replay')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'replaySubscription',
    summary: 'Re-deliver your events to one subscriber, in order: from a position, of one aggregate, or of one type (exactly one); runs in the background',
  })
  @ApiAcceptedResponse({ type: ReplayResponseDto, description: 'The replay, pending; GET its status at /subscriptions/{name}/replays/{id}' })
  @ApiProblems(400, 404, 422)
  replay(@TenantId() tenantId: string, @Param('name') name: string, @ValidBody() body: ReplaySubscriptionRequestDto): Promise<ReplayResponseDto> {
    return this.commands.execute(new ReplaySubscriptionCommand(tenantId, name, body));
  }

  @Get(':name/replays/:id')
  @ApiOperation({ operationId: 'getReplay', summary: 'A replay’s status and progress' })
  @ApiOkResponse({ type: ReplayResponseDto })
  @ApiProblems(404)
  getReplay(@TenantId() tenantId: string, @Param('name') name: string, @Param('id') id: string): Promise<ReplayResponseDto> {
    return this.queries.execute(new GetReplayQuery(tenantId, name, id));
  }
}
