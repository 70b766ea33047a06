import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DomainError } from '@cognition/platform/domain';
import { ApiKeyId } from '@cognition/platform/auth/api-key-id.decorator';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { ValidBody, ValidQuery } from '@cognition/platform/errors/validation.pipe';
import { PageQueryRequestDto } from '@cognition/platform/pagination/page-query.request.dto';
import { CancelExecutionCommand, GetExecutionQuery, ListExecutionsQuery, ListExecutionStepsQuery, RetryExecutionCommand, SendSignalCommand, StartExecutionCommand } from '../contracts';
import { ExecutionEventStream } from './execution-event-stream';
import { ListExecutionsRequestDto, StartExecutionRequestDto } from './execution.request.dto';
import { ExecutionPageResponseDto, ExecutionResponseDto, ExecutionStreamEventResponseDto, SignalResponseDto, StepExecutionPageResponseDto } from './execution.response.dto';
import { TASK_SIGNAL_PREFIX } from '../step-types/agent-task.step-type';

@ApiTags('executions')
@ApiBearerAuth()
@Controller()
export class ExecutionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly stream: ExecutionEventStream,
  ) {}

  @Post('workflows/:id/executions')
  @HttpCode(202)
  @ApiOperation({ operationId: 'startExecution', summary: 'Start an execution of an active version (default: the latest active)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A repeat with the same key and body returns the first execution' })
  @ApiAcceptedResponse({ type: ExecutionResponseDto })
  @ApiProblems(400, 404, 409, 413, 422)
  start(@TenantId() tenantId: string, @Param('id') workflowId: string, @ValidBody() body: StartExecutionRequestDto, @Headers('Idempotency-Key') idempotencyKey?: string): Promise<ExecutionResponseDto> {
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 255)) {
      throw new DomainError('BAD_REQUEST', 'Idempotency-Key must be 1–255 characters');
    }
    return this.commands.execute(new StartExecutionCommand(tenantId, workflowId, body.version, body.inputs ?? {}, { idempotencyKey, triggeredBy: 'api' }));
  }

  @Get('executions')
  @ApiOperation({ operationId: 'listExecutions', summary: 'Executions, newest first' })
  @ApiOkResponse({ type: ExecutionPageResponseDto })
  @ApiProblems(400, 422)
  list(@TenantId() tenantId: string, @ValidQuery() query: ListExecutionsRequestDto): Promise<ExecutionPageResponseDto> {
    const { limit, cursor, ...filter } = query;
    return this.queries.execute(new ListExecutionsQuery(tenantId, filter, limit, cursor));
  }

  @Get('executions/:id')
  @ApiOperation({ operationId: 'getExecution', summary: 'An execution with the first page of its steps (the rest: GET /executions/{id}/steps)' })
  @ApiOkResponse({ type: ExecutionResponseDto })
  @ApiProblems(404)
  get(@TenantId() tenantId: string, @Param('id') id: string): Promise<ExecutionResponseDto> {
    return this.queries.execute(new GetExecutionQuery(tenantId, id));
  }

  @Get('executions/:id/steps')
  @ApiOperation({
    operationId: 'listExecutionSteps',
    summary: 'The steps of an execution, a page at a time',
    description: 'The steps themselves (by step id), then the forEach items (by step id, then item index). Start with the `stepsNextCursor` of GET /executions/{id} to continue after its first page, or with no cursor for the beginning.',
  })
  @ApiOkResponse({ type: StepExecutionPageResponseDto })
  @ApiProblems(400, 404, 422)
  steps(@TenantId() tenantId: string, @Param('id') id: string, @ValidQuery() query: PageQueryRequestDto): Promise<StepExecutionPageResponseDto> {
    return this.queries.execute(new ListExecutionStepsQuery(tenantId, id, query.limit, query.cursor));
  }

  @Post('executions/:id/cancel')
  @HttpCode(200)
  @ApiOperation({ operationId: 'cancelExecution', summary: 'Cancel: pending and waiting steps are cancelled, running handlers get an abort signal' })
  @ApiOkResponse({ type: ExecutionResponseDto })
  @ApiProblems(404, 409)
  async cancel(@TenantId() tenantId: string, @Param('id') id: string): Promise<ExecutionResponseDto> {
    await this.queries.execute(new GetExecutionQuery(tenantId, id, false));
    return this.commands.execute(new CancelExecutionCommand(tenantId, id));
  }

  @Post('executions/:id/retry')
  @HttpCode(202)
  @ApiOperation({ operationId: 'retryExecution', summary: 'Resume a failed execution from its failed and skipped steps' })
  @ApiAcceptedResponse({ type: ExecutionResponseDto })
  @ApiProblems(404, 409)
  async retry(@TenantId() tenantId: string, @Param('id') id: string): Promise<ExecutionResponseDto> {
    await this.queries.execute(new GetExecutionQuery(tenantId, id, false));
    return this.commands.execute(new RetryExecutionCommand(tenantId, id));
  }

  @Post('executions/:id/signals/:name')
  @HttpCode(202)
  @ApiOperation({ operationId: 'sendExecutionSignal', summary: 'Send a signal; the body (any JSON) is its payload' })
  @ApiBody({ required: false, schema: { description: 'Any JSON value' } })
  @ApiAcceptedResponse({ type: SignalResponseDto })
  @ApiProblems(404, 409)
  async signal(@TenantId() tenantId: string, @Param('id') id: string, @Param('name') name: string, @Body() payload: unknown): Promise<SignalResponseDto> {
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(name)) throw new DomainError('BAD_REQUEST', 'A signal name is 1–128 letters, digits, _ . : -');
    if (name.startsWith(TASK_SIGNAL_PREFIX)) throw new DomainError('BAD_REQUEST', `Signal names starting with "${TASK_SIGNAL_PREFIX}" are reserved for agent task outcomes`);
    await this.queries.execute(new GetExecutionQuery(tenantId, id, false));
    return this.commands.execute(new SendSignalCommand(tenantId, id, name, payload ?? null));
  }

  @Get('executions/:id/events')
  @ApiOperation({
    operationId: 'streamExecutionEvents',
    summary: 'The execution’s events as Server-Sent Events: its history, then live, closing when it ends',
    description:
      'Every event of the execution exactly once, in commit order (`(tx_id, position)`, the order the outbox relay publishes in). ' +
      'Each SSE event: `id` = the event id (`domain_events.id`, a UUID), `event` = its type, `data` = the envelope ' +
      '`{id, position, tenantId, type, aggregateType, aggregateId, payload, occurredAt, correlationId, executionId}`. ' +
      'Reconnect with `Last-Event-ID` to continue strictly after that event. The stream closes after the terminal event, ' +
      'and when the instance shuts down (reconnect with `Last-Event-ID`).',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume strictly after this event: the `id` of an event of this stream; any other value is 400' })
  @ApiExtraModels(ExecutionStreamEventResponseDto)
  @ApiOkResponse({
    description:
      'A stream of Server-Sent Events; each event is described by ExecutionStreamEventResponseDto (`data:` is ExecutionEventEnvelopeResponseDto as JSON). Comment lines (`: keepalive`) keep the connection open.',
    content: { 'text/event-stream': { schema: { $ref: getSchemaPath(ExecutionStreamEventResponseDto) } } },
  })
  @ApiProblems(400, 404)
  @ApiResponse({
    status: 503,
    description: 'This instance is shutting down: reconnect (with `Last-Event-ID`)',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponseDto' } } },
  })
  @ApiResponse({
    status: 429,
    description: 'RATE_LIMITED: the key is over its rate limit (see `Retry-After`), or has SSE_MAX_CONNECTIONS_PER_KEY streams open on this instance. A stream also ends when its key is revoked.',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponseDto' } } },
  })
  async events(@TenantId() tenantId: string, @ApiKeyId() keyId: string, @Param('id') id: string, @Headers('Last-Event-ID') lastEventId: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    await this.queries.execute(new GetExecutionQuery(tenantId, id, false));
    await this.stream.open(tenantId, id, lastEventId, reply, keyId);
  }
}
