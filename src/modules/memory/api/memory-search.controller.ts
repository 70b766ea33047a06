import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { SearchMemoriesQuery } from '../contracts';
import { MemorySearchRequestDto, RerankWeightsDoc, searchRequestOf } from './memory-search.request.dto';
import { MemorySearchResponseDto } from './memory-search.response.dto';

@ApiTags('memories')
@ApiBearerAuth()
@ApiExtraModels(RerankWeightsDoc)
@Controller('memories')
export class MemorySearchController {
  constructor(private readonly queries: QueryBus) {}

  @Post('search')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'searchMemories',
    summary: 'Search memories: vector, full-text or hybrid (reciprocal rank fusion), with filters, minScore and optional relevance re-ranking',
    description:
      'Filtered vector searches keep their recall: a selective filter is answered by an exact scan of the matching rows, a broad one by the HNSW index with an iterative scan. Each returned memory counts as an access (after the answer). Deleted and expired memories never come back; archived ones only with filters.includeArchived.',
  })
  @ApiBody({ type: MemorySearchRequestDto })
  @ApiOkResponse({ type: MemorySearchResponseDto })
  @ApiProblems(400, 422)
  // `unknown`: the global DTO pipe leaves the body alone; searchRequestOf and planSearch check it (cheaper for a 384-number embedding).
  async search(@TenantId() tenantId: string, @Body() body: unknown): Promise<MemorySearchResponseDto> {
    return MemorySearchResponseDto.from(await this.queries.execute(new SearchMemoriesQuery(tenantId, searchRequestOf(body))));
  }
}
