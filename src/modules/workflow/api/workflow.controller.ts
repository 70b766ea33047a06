import { Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { instanceToPlain } from 'class-transformer';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { ValidBody, ValidQuery } from '@cognition/platform/errors/validation.pipe';
import { PageQueryRequestDto } from '@cognition/platform/pagination/page-query.request.dto';
import { ChangeWorkflowStatusCommand, WorkflowStatusAction } from '../contracts/commands/change-workflow-status.command';
import { CreateWorkflowCommand } from '../contracts/commands/create-workflow.command';
import { DeleteWorkflowDraftCommand } from '../contracts/commands/delete-workflow-draft.command';
import { UpdateWorkflowDraftCommand } from '../contracts/commands/update-workflow-draft.command';
import { AnalyzeWorkflowQuery } from '../contracts/queries/analyze-workflow.query';
import { GetWorkflowVersionQuery } from '../contracts/queries/get-workflow-version.query';
import { GetWorkflowQuery } from '../contracts/queries/get-workflow.query';
import { ListWorkflowVersionsQuery } from '../contracts/queries/list-workflow-versions.query';
import { ListWorkflowsQuery } from '../contracts/queries/list-workflows.query';
import { ListWorkflowsRequestDto } from './list-workflows.request.dto';
import { CreateWorkflowRequestDto, WorkflowDefinitionRequestDto } from './workflow-definition.request.dto';
import { WorkflowAnalysisResponseDto, WorkflowPageResponseDto, WorkflowResponseDto } from './workflow.response.dto';

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class WorkflowController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createWorkflow', summary: 'Create a workflow version (a draft, or active with status: active)' })
  @ApiCreatedResponse({ type: WorkflowResponseDto })
  @ApiProblems(400, 409, 413, 422)
  async create(@TenantId() tenantId: string, @ValidBody() body: CreateWorkflowRequestDto): Promise<WorkflowResponseDto> {
    const { id, version, status, ...definition } = instanceToPlain(body) as CreateWorkflowRequestDto;
    return WorkflowResponseDto.from(await this.commands.execute(new CreateWorkflowCommand(tenantId, id, version, definition, status)));
  }

  @Get()
  @ApiOperation({ operationId: 'listWorkflows', summary: 'List workflow versions, filtered by status, tag and a name search' })
  @ApiOkResponse({ type: WorkflowPageResponseDto })
  @ApiProblems(400, 422)
  async list(@TenantId() tenantId: string, @ValidQuery() query: ListWorkflowsRequestDto): Promise<WorkflowPageResponseDto> {
    const { limit, cursor, ...filter } = query;
    const page = await this.queries.execute(new ListWorkflowsQuery(tenantId, filter, limit, cursor));
    return { items: page.items.map(WorkflowResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getWorkflow', summary: 'The latest active version, else the latest version' })
  @ApiOkResponse({ type: WorkflowResponseDto })
  @ApiProblems(404)
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<WorkflowResponseDto> {
    return WorkflowResponseDto.from(await this.queries.execute(new GetWorkflowQuery(tenantId, id)));
  }

  @Get(':id/versions')
  @ApiOperation({ operationId: 'listWorkflowVersions', summary: 'Every version of a workflow, in semver order' })
  @ApiOkResponse({ type: WorkflowPageResponseDto })
  @ApiProblems(400, 404, 422)
  async versions(@TenantId() tenantId: string, @Param('id') id: string, @ValidQuery() query: PageQueryRequestDto): Promise<WorkflowPageResponseDto> {
    const page = await this.queries.execute(new ListWorkflowVersionsQuery(tenantId, id, query.limit, query.cursor));
    return { items: page.items.map(WorkflowResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id/versions/:version')
  @ApiOperation({ operationId: 'getWorkflowVersion', summary: 'One version of a workflow' })
  @ApiOkResponse({ type: WorkflowResponseDto })
  @ApiProblems(404)
  async getVersion(@TenantId() tenantId: string, @Param('id') id: string, @Param('version') version: string): Promise<WorkflowResponseDto> {
    return WorkflowResponseDto.from(await this.queries.execute(new GetWorkflowVersionQuery(tenantId, id, version)));
  }

  @Put(':id/versions/:version')
  @ApiOperation({ operationId: 'updateWorkflowVersion', summary: 'Replace a draft’s definition (drafts only)' })
  @ApiOkResponse({ type: WorkflowResponseDto })
  @ApiProblems(400, 404, 409, 413, 422)
  async update(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Param('version') version: string,
    @ValidBody() body: WorkflowDefinitionRequestDto,
  ): Promise<WorkflowResponseDto> {
    return WorkflowResponseDto.from(await this.commands.execute(new UpdateWorkflowDraftCommand(tenantId, id, version, instanceToPlain(body) as WorkflowDefinitionRequestDto)));
  }

  @Delete(':id/versions/:version')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteWorkflowVersion', summary: 'Delete a draft (drafts only)' })
  @ApiNoContentResponse()
  @ApiProblems(404, 409)
  async delete(@TenantId() tenantId: string, @Param('id') id: string, @Param('version') version: string): Promise<void> {
    await this.commands.execute(new DeleteWorkflowDraftCommand(tenantId, id, version));
  }

  @Post(':id/versions/:version/activate')
  @HttpCode(200)
  @ApiOperation({ operationId: 'activateWorkflowVersion', summary: 'draft → active: the version can start executions' })
  @ApiOkResponse({ type: WorkflowResponseDto })
  @ApiProblems(404, 409)
  activate(@TenantId() tenantId: string, @Param('id') id: string, @Param('version') version: string): Promise<WorkflowResponseDto> {
    return this.changeStatus(tenantId, id, version, 'activate');
  }

  @Post(':id/versions/:version/deprecate')
  @HttpCode(200)
  @ApiOperation({ operationId: 'deprecateWorkflowVersion', summary: 'active → deprecated: no new executions; running ones continue' })
  @ApiOkResponse({ type: WorkflowResponseDto })
  @ApiProblems(404, 409)
  deprecate(@TenantId() tenantId: string, @Param('id') id: string, @Param('version') version: string): Promise<WorkflowResponseDto> {
    return this.changeStatus(tenantId, id, version, 'deprecate');
  }

  @Post(':id/versions/:version/archive')
  @HttpCode(200)
  @ApiOperation({ operationId: 'archiveWorkflowVersion', summary: '→ archived (final)' })
  @ApiOkResponse({ type: WorkflowResponseDto })
  @ApiProblems(404, 409)
  archive(@TenantId() tenantId: string, @Param('id') id: string, @Param('version') version: string): Promise<WorkflowResponseDto> {
    return this.changeStatus(tenantId, id, version, 'archive');
  }

  @Get(':id/versions/:version/analysis')
  @ApiOperation({ operationId: 'analyzeWorkflowVersion', summary: 'Topological order, levels, critical path, maximum parallelism' })
  @ApiOkResponse({ type: WorkflowAnalysisResponseDto })
  @ApiProblems(404)
  analysis(@TenantId() tenantId: string, @Param('id') id: string, @Param('version') version: string): Promise<WorkflowAnalysisResponseDto> {
    return this.queries.execute(new AnalyzeWorkflowQuery(tenantId, id, version));
  }

  private async changeStatus(tenantId: string, id: string, version: string, action: WorkflowStatusAction): Promise<WorkflowResponseDto> {
    return WorkflowResponseDto.from(await this.commands.execute(new ChangeWorkflowStatusCommand(tenantId, id, version, action)));
  }
}
