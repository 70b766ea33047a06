import { Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { ValidBody, ValidQuery } from '@cognition/platform/errors/validation.pipe';
import { PageQueryRequestDto } from '@cognition/platform/pagination/page-query.request.dto';
import {
  AddMemoryToCollectionCommand,
  CreateMemoryCollectionCommand,
  DeleteMemoryCollectionCommand,
  GetMemoryCollectionQuery,
  ListCollectionMemoriesQuery,
  ListMemoryCollectionsQuery,
  RemoveMemoryFromCollectionCommand,
} from '../contracts';
import { CreateMemoryCollectionRequestDto } from './memory-collection.request.dto';
import { CollectionMembershipResponseDto, CollectionMemoryPageResponseDto, MemoryCollectionPageResponseDto, MemoryCollectionResponseDto } from './memory-collection.response.dto';
import { MemoryResponseDto } from './memory.response.dto';

@ApiTags('memory-collections')
@ApiBearerAuth()
@Controller('memory-collections')
export class MemoryCollectionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createMemoryCollection', summary: 'Create a named collection of memories (name unique per tenant)' })
  @ApiCreatedResponse({ type: MemoryCollectionResponseDto })
  @ApiProblems(400, 409, 422)
  async create(@TenantId() tenantId: string, @ValidBody() body: CreateMemoryCollectionRequestDto): Promise<MemoryCollectionResponseDto> {
    return MemoryCollectionResponseDto.from(await this.commands.execute(new CreateMemoryCollectionCommand(tenantId, { name: body.name, description: body.description })));
  }

  @Get()
  @ApiOperation({ operationId: 'listMemoryCollections', summary: 'Collections, newest first, with their memory counts' })
  @ApiOkResponse({ type: MemoryCollectionPageResponseDto })
  @ApiProblems(400, 422)
  async list(@TenantId() tenantId: string, @ValidQuery() query: PageQueryRequestDto): Promise<MemoryCollectionPageResponseDto> {
    const page = await this.queries.execute(new ListMemoryCollectionsQuery(tenantId, query.limit, query.cursor));
    return { items: page.items.map(MemoryCollectionResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getMemoryCollection', summary: 'One collection, with its memory count' })
  @ApiOkResponse({ type: MemoryCollectionResponseDto })
  @ApiProblems(404)
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<MemoryCollectionResponseDto> {
    return MemoryCollectionResponseDto.from(await this.queries.execute(new GetMemoryCollectionQuery(tenantId, id)));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteMemoryCollection', summary: 'Delete the collection (its memories stay)' })
  @ApiNoContentResponse()
  @ApiProblems(404)
  async delete(@TenantId() tenantId: string, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new DeleteMemoryCollectionCommand(tenantId, id));
  }

  @Get(':id/memories')
  @ApiOperation({ operationId: 'listCollectionMemories', summary: 'The members that are neither deleted nor expired (archived included), newest first' })
  @ApiOkResponse({ type: CollectionMemoryPageResponseDto })
  @ApiProblems(400, 404, 422)
  async members(@TenantId() tenantId: string, @Param('id') id: string, @ValidQuery() query: PageQueryRequestDto): Promise<CollectionMemoryPageResponseDto> {
    const page = await this.queries.execute(new ListCollectionMemoriesQuery(tenantId, id, query.limit, query.cursor));
    return { items: page.items.map(MemoryResponseDto.from), nextCursor: page.nextCursor };
  }

  @Put(':id/memories/:memoryId')
  @ApiOperation({ operationId: 'addCollectionMemory', summary: 'Add a memory (idempotent: adding a member again changes nothing)' })
  @ApiOkResponse({ type: CollectionMembershipResponseDto })
  @ApiProblems(404)
  async add(@TenantId() tenantId: string, @Param('id') id: string, @Param('memoryId') memoryId: string): Promise<CollectionMembershipResponseDto> {
    const { added } = await this.commands.execute(new AddMemoryToCollectionCommand(tenantId, id, memoryId));
    return { collectionId: id.toLowerCase(), memoryId: memoryId.toLowerCase(), added };
  }

  @Delete(':id/memories/:memoryId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'removeCollectionMemory', summary: 'Remove a memory from the collection (404 when it is not a member)' })
  @ApiNoContentResponse()
  @ApiProblems(404)
  async remove(@TenantId() tenantId: string, @Param('id') id: string, @Param('memoryId') memoryId: string): Promise<void> {
    await this.commands.execute(new RemoveMemoryFromCollectionCommand(tenantId, id, memoryId));
  }
}
