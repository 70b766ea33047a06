import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { ValidQuery } from '@cognition/platform/errors/validation.pipe';
import { DiscardDeadLetterCommand, ListDeadLettersQuery, RetryDeadLetterCommand } from '../contracts';
import { DeadLetterPageResponseDto, DeadLetterRetryResponseDto } from './dead-letter.response.dto';
import { ListDeadLettersRequestDto } from './list-dead-letters.request.dto';

@ApiTags('events')
@ApiBearerAuth()
@Controller('dead-letters')
export class DeadLettersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listDeadLetters', summary: 'Your dead letters, newest first, by subscriber and status' })
  @ApiOkResponse({ type: DeadLetterPageResponseDto })
  @ApiProblems(400, 422)
  list(@TenantId() tenantId: string, @ValidQuery() query: ListDeadLettersRequestDto): Promise<DeadLetterPageResponseDto> {
    const { limit, cursor, ...filter } = query;
    return this.queries.execute(new ListDeadLettersQuery(tenantId, filter, limit, cursor));
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'retryDeadLetter',
    summary: 'Deliver the event to its subscriber once, now: `delivered` (status retried) or `failed` (still dead, with the new error)',
  })
  @ApiOkResponse({ type: DeadLetterRetryResponseDto })
  @ApiProblems(404, 409)
  retry(@TenantId() tenantId: string, @Param('id') id: string): Promise<DeadLetterRetryResponseDto> {
    return this.commands.execute(new RetryDeadLetterCommand(tenantId, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'discardDeadLetter', summary: 'Discard a dead letter: the event is not delivered to that subscriber (status discarded)' })
  @ApiNoContentResponse()
  @ApiProblems(404, 409)
  async discard(@TenantId() tenantId: string, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new DiscardDeadLetterCommand(tenantId, id));
  }
}
