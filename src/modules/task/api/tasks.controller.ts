import { Body, Controller, Get, Headers, HttpCode, Param, Post, Type } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { instanceToPlain } from 'class-transformer';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { DomainError } from '@cognition/platform/domain';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { validationPipe, ValidQuery } from '@cognition/platform/errors/validation.pipe';
import { CancelTaskCommand, CreateTaskCommand, CreateTasksCommand, GetTaskQuery, ListTasksQuery, NewBatchTask, NewTask, RetryTaskCommand } from '../contracts';
import { CreateTaskRequestDto, CreateTasksRequestDto } from './create-task.request.dto';
import { ListTasksRequestDto } from './list-tasks.request.dto';
import { TaskListResponseDto, TaskPageResponseDto, TaskResponseDto } from './task.response.dto';

@ApiTags('tasks')
@ApiBearerAuth()
@ApiExtraModels(CreateTaskRequestDto, CreateTasksRequestDto, TaskListResponseDto)
@Controller('tasks')
export class TasksController {
  /** The body is one task or `{tasks: [...]}`: it is validated here, once its shape is known. */

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createTasks', summary: 'Create a pending task, or a batch of 1–100 whose dependencies may name each other by `ref`' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A repeat with the same key and body returns the first result' })
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(CreateTaskRequestDto) }, { $ref: getSchemaPath(CreateTasksRequestDto) }] } })
  @ApiCreatedResponse({
    description: 'One task: the task; a batch: `{items}` in the order given',
    schema: { oneOf: [{ $ref: getSchemaPath(TaskResponseDto) }, { $ref: getSchemaPath(TaskListResponseDto) }] },
  })
  @ApiProblems(400, 409, 413, 422)
  async create(@TenantId() tenantId: string, @Body() body: unknown, @Headers('Idempotency-Key') idempotencyKey?: string): Promise<TaskResponseDto | TaskListResponseDto> {
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 255)) {
      throw new DomainError('BAD_REQUEST', 'Idempotency-Key must be 1–255 characters');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new DomainError('BAD_REQUEST', 'The body must be a JSON object: one task, or {"tasks": [...]}');
    }
    const key = idempotencyKey ?? null;
    if ('tasks' in body) {
      const batch = await this.validate(body, CreateTasksRequestDto);
      const views = await this.commands.execute(new CreateTasksCommand(tenantId, batch.tasks as NewBatchTask[], key));
      return { items: views.map(TaskResponseDto.from) };
    }
    const task = await this.validate(body, CreateTaskRequestDto);
    return TaskResponseDto.from(await this.commands.execute(new CreateTaskCommand(tenantId, task as NewTask, key)));
  }

  @Get()
  @ApiOperation({ operationId: 'listTasks', summary: 'Tasks, newest first, filtered by status, agent, priority and workflow execution' })
  @ApiOkResponse({ type: TaskPageResponseDto })
  @ApiProblems(400, 422)
  async list(@TenantId() tenantId: string, @ValidQuery() query: ListTasksRequestDto): Promise<TaskPageResponseDto> {
    const page = await this.queries.execute(new ListTasksQuery(tenantId, { ...query }));
    return { items: page.items.map(TaskResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getTask', summary: 'One task' })
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiProblems(404)
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<TaskResponseDto> {
    return TaskResponseDto.from(await this.queries.execute(new GetTaskQuery(tenantId, id)));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ operationId: 'cancelTask', summary: 'Cancel an unfinished task; its pending dependents are cancelled too' })
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiProblems(404, 409)
  async cancel(@TenantId() tenantId: string, @Param('id') id: string): Promise<TaskResponseDto> {
    return TaskResponseDto.from(await this.commands.execute(new CancelTaskCommand(tenantId, id)));
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ operationId: 'retryTask', summary: 'Put a failed task back in the queue as a new attempt' })
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiProblems(404, 409)
  async retry(@TenantId() tenantId: string, @Param('id') id: string): Promise<TaskResponseDto> {
    return TaskResponseDto.from(await this.commands.execute(new RetryTaskCommand(tenantId, id)));
  }

  /** The global pipe's rules (unknown field 400, invalid value 422), then back to plain JSON for the command. */
  private async validate<T extends object>(body: object, metatype: Type<T>): Promise<T> {
    const dto = (await validationPipe.transform(body, { type: 'body', metatype })) as T;
    return instanceToPlain(dto) as T;
  }
}
