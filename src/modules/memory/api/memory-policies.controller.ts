import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { DomainError } from '@cognition/platform/domain';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { ValidBody, ValidQuery } from '@cognition/platform/errors/validation.pipe';
import { PageQueryRequestDto } from '@cognition/platform/pagination/page-query.request.dto';
import {
  ApplyMemoryPolicyCommand,
  CreateMemoryPolicyCommand,
  DeleteMemoryPolicyCommand,
  GetMemoryPolicyQuery,
  ListMemoryPoliciesQuery,
  type MemoryPolicyInput,
  UpdateMemoryPolicyCommand,
} from '../contracts';
import { ApplyMemoryPolicyRequestDto, MemoryPolicyRequestDto } from './memory-policy.request.dto';
import { MemoryPolicyPageResponseDto, MemoryPolicyResponseDto, PolicyApplicationResponseDto } from './memory-policy.response.dto';

/** The DTO's fields as the command's input (only those sent: the domain applies the defaults). */
function inputOf(body: MemoryPolicyRequestDto): MemoryPolicyInput {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as unknown as MemoryPolicyInput;
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3. */
function revisionOf(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '' || ifMatch.trim() === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(ifMatch.trim());
  if (!match) throw new DomainError('BAD_REQUEST', 'If-Match must be the revision of the policy, e.g. "3"', [{ path: 'If-Match', message: 'not a revision' }]);
  return Number(match[1]);
}

@ApiTags('memory-policies')
@ApiBearerAuth()
@Controller('memory-policies')
export class MemoryPoliciesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createMemoryPolicy', summary: 'Create a lifecycle policy for a namespace subtree (name unique per tenant)' })
  @ApiCreatedResponse({ type: MemoryPolicyResponseDto })
  @ApiProblems(400, 409, 422)
  async create(@TenantId() tenantId: string, @ValidBody() body: MemoryPolicyRequestDto): Promise<MemoryPolicyResponseDto> {
    return MemoryPolicyResponseDto.from(await this.commands.execute(new CreateMemoryPolicyCommand(tenantId, inputOf(body))));
  }

  @Get()
  @ApiOperation({ operationId: 'listMemoryPolicies', summary: 'Lifecycle policies, newest first' })
  @ApiOkResponse({ type: MemoryPolicyPageResponseDto })
  @ApiProblems(400, 422)
  async list(@TenantId() tenantId: string, @ValidQuery() query: PageQueryRequestDto): Promise<MemoryPolicyPageResponseDto> {
    const page = await this.queries.execute(new ListMemoryPoliciesQuery(tenantId, query.limit, query.cursor));
    return { items: page.items.map(MemoryPolicyResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getMemoryPolicy', summary: 'One lifecycle policy' })
  @ApiOkResponse({ type: MemoryPolicyResponseDto })
  @ApiProblems(404)
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<MemoryPolicyResponseDto> {
    return MemoryPolicyResponseDto.from(await this.queries.execute(new GetMemoryPolicyQuery(tenantId, id)));
  }

  @Put(':id')
  @ApiOperation({ operationId: 'updateMemoryPolicy', summary: 'Replace the policy’s settings (omitted fields take their defaults)' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision the change is based on; another revision is 409' })
  @ApiOkResponse({ type: MemoryPolicyResponseDto })
  @ApiProblems(400, 404, 409, 422)
  async update(@TenantId() tenantId: string, @Param('id') id: string, @ValidBody() body: MemoryPolicyRequestDto, @Headers('If-Match') ifMatch?: string): Promise<MemoryPolicyResponseDto> {
    return MemoryPolicyResponseDto.from(await this.commands.execute(new UpdateMemoryPolicyCommand(tenantId, id, inputOf(body), revisionOf(ifMatch))));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteMemoryPolicy', summary: 'Delete the policy (what it already did stays)' })
  @ApiNoContentResponse()
  @ApiProblems(404)
  async delete(@TenantId() tenantId: string, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new DeleteMemoryPolicyCommand(tenantId, id));
  }

  @Post(':id/apply')
  @HttpCode(200)
  @ApiOperation({ operationId: 'applyMemoryPolicy', summary: 'Apply the policy now (enabled or not), in one transaction; ?dryRun=true reports what it would do and changes nothing' })
  @ApiOkResponse({ type: PolicyApplicationResponseDto })
  @ApiProblems(400, 404, 422)
  async apply(@TenantId() tenantId: string, @Param('id') id: string, @ValidQuery() query: ApplyMemoryPolicyRequestDto): Promise<PolicyApplicationResponseDto> {
    return this.commands.execute(new ApplyMemoryPolicyCommand(tenantId, id, query.dryRun === 'true'));
  }
}
