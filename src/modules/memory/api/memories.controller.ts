import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Type } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { instanceToPlain } from 'class-transformer';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { DomainError } from '@cognition/platform/domain';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { validationPipe, ValidBody, ValidQuery } from '@cognition/platform/errors/validation.pipe';
import { CreateMemoriesCommand, DeleteMemoryCommand, GetMemoryQuery, ListMemoriesQuery, ListMemoryRevisionsQuery, type MemoryPatch, type NewMemory, UpdateMemoryCommand } from '../contracts';
import { GetMemoryRequestDto, ListMemoriesRequestDto } from './memory-list.request.dto';
import { CreateMemoriesRequestDto, CreateMemoryRequestDto, UpdateMemoryRequestDto } from './memory.request.dto';
import { MemoryListResponseDto, MemoryPageResponseDto, MemoryResponseDto, MemoryRevisionListResponseDto } from './memory.response.dto';

/**
 * POST /memories takes a batch of up to 1,000 memories with their vectors (1,000 × 384 numbers is
 * about 4 MB of JSON): this route alone accepts bodies up to 32 MB (the app's limit is 1 MB).
 */
export const MEMORIES_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponseDto' } } };
const ApiProviderFailure = () => ApiResponse({ status: 502, description: 'The embedding provider failed (EMBEDDING_PROVIDER_ERROR)', content: problem });

@ApiTags('memories')
@ApiBearerAuth()
@ApiExtraModels(CreateMemoryRequestDto, CreateMemoriesRequestDto, MemoryListResponseDto)
@Controller('memories')
export class MemoriesController {
  /** The body is one memory or `{items: [...]}`: it is validated here, once its shape is known. */

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @RouteConfig({ bodyLimit: MEMORIES_BODY_LIMIT_BYTES })
  @ApiOperation({ operationId: 'createMemories', summary: 'Create a memory, or a batch of 1–1,000 in one transaction (one embedding request for those without a vector)' })
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(CreateMemoryRequestDto) }, { $ref: getSchemaPath(CreateMemoriesRequestDto) }] } })
  @ApiCreatedResponse({
    description: 'One memory: the memory; a batch: `{items}` in the order given',
    schema: { oneOf: [{ $ref: getSchemaPath(MemoryResponseDto) }, { $ref: getSchemaPath(MemoryListResponseDto) }] },
  })
  @ApiProblems(400, 409, 422)
  @ApiResponse({ status: 413, description: 'Body over 32 MB', content: problem })
  @ApiProviderFailure()
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A repeat with the same key and body returns the memories first created; another body is 409' })
  async create(@TenantId() tenantId: string, @Body() body: unknown, @Headers('Idempotency-Key') idempotencyKey?: string): Promise<MemoryResponseDto | MemoryListResponseDto> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new DomainError('BAD_REQUEST', 'The body must be a JSON object: one memory, or {"items": [...]}');
    }
    if ('items' in body) {
      const batch = await this.validate(body, CreateMemoriesRequestDto);
      const views = await this.commands.execute(new CreateMemoriesCommand(tenantId, batch.items as NewMemory[], idempotencyKey ?? null));
      return { items: views.map(MemoryResponseDto.from) };
    }
    const one = await this.validate(body, CreateMemoryRequestDto);
    const [view] = await this.commands.execute(new CreateMemoriesCommand(tenantId, [one as NewMemory], idempotencyKey ?? null, true));
    return MemoryResponseDto.from(view);
  }

  @Get()
  @ApiOperation({ operationId: 'listMemories', summary: 'Memories, newest first; namespace matches its whole subtree; deleted and expired never listed' })
  @ApiOkResponse({ type: MemoryPageResponseDto })
  @ApiProblems(400, 422)
  async list(@TenantId() tenantId: string, @ValidQuery() query: ListMemoriesRequestDto): Promise<MemoryPageResponseDto> {
    const { limit, cursor, namespace, userId, agentId, sessionId, scope, type, status, tag } = query;
    const page = await this.queries.execute(
      new ListMemoriesQuery(tenantId, { limit, cursor, namespace, userId, agentId, sessionId, scope, memoryType: type, status, tags: tag ? { all: tag } : undefined }),
    );
    return { items: page.items.map(MemoryResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getMemory', summary: 'One memory (deleted and expired ones are 404)' })
  @ApiOkResponse({ type: MemoryResponseDto })
  @ApiProblems(404, 422)
  async get(@TenantId() tenantId: string, @Param('id') id: string, @ValidQuery() query: GetMemoryRequestDto): Promise<MemoryResponseDto> {
    return MemoryResponseDto.from(await this.queries.execute(new GetMemoryQuery(tenantId, id, query.includeEmbedding === 'true')));
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateMemory', summary: 'Change fields; a new content keeps the previous one as a revision and re-embeds' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision the change is based on; another revision is 409' })
  @ApiOkResponse({ type: MemoryResponseDto })
  @ApiProblems(400, 404, 409, 413, 422)
  @ApiProviderFailure()
  async update(@TenantId() tenantId: string, @Param('id') id: string, @ValidBody() body: UpdateMemoryRequestDto, @Headers('If-Match') ifMatch?: string): Promise<MemoryResponseDto> {
    const patch = instanceToPlain(body) as MemoryPatch;
    return MemoryResponseDto.from(await this.commands.execute(new UpdateMemoryCommand(tenantId, id, patch, revisionOf(ifMatch))));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteMemory', summary: 'Soft delete: gone from reads and search at once, out of every collection, purged after the retention period' })
  @ApiNoContentResponse()
  @ApiProblems(404)
  async delete(@TenantId() tenantId: string, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new DeleteMemoryCommand(tenantId, id));
  }

  @Get(':id/revisions')
  @ApiOperation({ operationId: 'listMemoryRevisions', summary: 'Previous contents, oldest first' })
  @ApiOkResponse({ type: MemoryRevisionListResponseDto })
  @ApiProblems(404)
  revisions(@TenantId() tenantId: string, @Param('id') id: string): Promise<MemoryRevisionListResponseDto> {
    return this.queries.execute(new ListMemoryRevisionsQuery(tenantId, id));
  }

  /** The global pipe's rules (unknown field 400, invalid value 422), then back to plain JSON for the command. */
  private async validate<T extends object>(body: object, metatype: Type<T>): Promise<T> {
    const dto = (await validationPipe.transform(body, { type: 'body', metatype })) as T;
    return instanceToPlain(dto) as T;
  }
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3. */
function revisionOf(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '' || ifMatch.trim() === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(ifMatch.trim());
  if (!match) throw new DomainError('BAD_REQUEST', 'If-Match must be the revision of the memory, e.g. "3"', [{ path: 'If-Match', message: 'not a revision' }]);
  return Number(match[1]);
}
