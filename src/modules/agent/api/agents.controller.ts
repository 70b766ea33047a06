import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { instanceToPlain } from 'class-transformer';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { ValidBody, ValidQuery } from '@cognition/platform/errors/validation.pipe';
import {
  Budget,
  GetAgentQuery,
  GetAgentUsageQuery,
  GrantAgentPermissionsCommand,
  InstantiateAgentCommand,
  ListAgentsQuery,
  ResetAgentBudgetCommand,
  RevokeAgentPermissionCommand,
  TerminateAgentCommand,
} from '../contracts';
import { BudgetRequestDto } from './agent-definition.request.dto';
import { AgentUsageRequestDto, GrantPermissionsRequestDto, InstantiateAgentRequestDto, ListAgentsRequestDto, TerminateAgentRequestDto } from './agent.request.dto';
import { AgentPageResponseDto, AgentResponseDto, AgentUsageResponseDto } from './agent.response.dto';

@ApiTags('agents')
@ApiBearerAuth()
@Controller('agents')
export class AgentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'instantiateAgent', summary: 'Instantiate an agent from a definition (config copied; budget = the definition’s default, overridable)' })
  @ApiCreatedResponse({ type: AgentResponseDto })
  @ApiProblems(400, 404, 422)
  async instantiate(@TenantId() tenantId: string, @ValidBody() body: InstantiateAgentRequestDto): Promise<AgentResponseDto> {
    const { definitionId, budget, permissions } = instanceToPlain(body) as InstantiateAgentRequestDto;
    return AgentResponseDto.from(await this.commands.execute(new InstantiateAgentCommand(tenantId, definitionId, { budget, permissions })));
  }

  @Get()
  @ApiOperation({ operationId: 'listAgents', summary: 'Agents in creation order, filtered by status, role and definition' })
  @ApiOkResponse({ type: AgentPageResponseDto })
  @ApiProblems(400, 422)
  async list(@TenantId() tenantId: string, @ValidQuery() query: ListAgentsRequestDto): Promise<AgentPageResponseDto> {
    const { status, role, definitionId, limit, cursor } = query;
    const page = await this.queries.execute(new ListAgentsQuery(tenantId, { status, role, definitionId, limit, cursor }));
    return { items: page.items.map(AgentResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getAgent', summary: 'One agent, with its budget use and permissions' })
  @ApiOkResponse({ type: AgentResponseDto })
  @ApiProblems(404)
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<AgentResponseDto> {
    return AgentResponseDto.from(await this.queries.execute(new GetAgentQuery(tenantId, id)));
  }

  @Post(':id/terminate')
  @HttpCode(200)
  @ApiOperation({ operationId: 'terminateAgent', summary: 'Terminate (final); a task the agent holds is released for another agent' })
  @ApiBody({ type: TerminateAgentRequestDto, required: false })
  @ApiOkResponse({ type: AgentResponseDto })
  @ApiProblems(400, 404, 409, 422)
  async terminate(@TenantId() tenantId: string, @Param('id') id: string, @ValidBody() body: TerminateAgentRequestDto): Promise<AgentResponseDto> {
    return AgentResponseDto.from(await this.commands.execute(new TerminateAgentCommand(tenantId, id, body?.reason ?? undefined)));
  }

  @Post(':id/budget/reset')
  @HttpCode(200)
  @ApiOperation({ operationId: 'resetAgentBudget', summary: 'Usage back to zero (the ledger keeps its entries); the body optionally changes limits' })
  @ApiBody({ type: BudgetRequestDto, required: false })
  @ApiOkResponse({ type: AgentResponseDto })
  @ApiProblems(400, 404, 409, 422)
  async resetBudget(@TenantId() tenantId: string, @Param('id') id: string, @ValidBody() body: BudgetRequestDto): Promise<AgentResponseDto> {
    const limits = body ? (instanceToPlain(body) as Partial<Budget>) : undefined;
    return AgentResponseDto.from(await this.commands.execute(new ResetAgentBudgetCommand(tenantId, id, limits)));
  }

  @Post(':id/permissions')
  @HttpCode(200)
  @ApiOperation({ operationId: 'grantAgentPermissions', summary: 'Grant permissions (those already held are kept)' })
  @ApiOkResponse({ type: AgentResponseDto })
  @ApiProblems(400, 404, 409, 422)
  async grant(@TenantId() tenantId: string, @Param('id') id: string, @ValidBody() body: GrantPermissionsRequestDto): Promise<AgentResponseDto> {
    return AgentResponseDto.from(await this.commands.execute(new GrantAgentPermissionsCommand(tenantId, id, body.permissions)));
  }

  @Delete(':id/permissions/:permission')
  @ApiOperation({ operationId: 'revokeAgentPermission', summary: 'Revoke a permission (one not held: no change)' })
  @ApiOkResponse({ type: AgentResponseDto })
  @ApiProblems(404, 409)
  async revoke(@TenantId() tenantId: string, @Param('id') id: string, @Param('permission') permission: string): Promise<AgentResponseDto> {
    return AgentResponseDto.from(await this.commands.execute(new RevokeAgentPermissionCommand(tenantId, id, permission)));
  }

  @Get(':id/usage')
  @ApiOperation({ operationId: 'getAgentUsage', summary: 'Limits, usage, ledger totals and the latest ledger entries' })
  @ApiOkResponse({ type: AgentUsageResponseDto })
  @ApiProblems(404, 422)
  async usage(@TenantId() tenantId: string, @Param('id') id: string, @ValidQuery() query: AgentUsageRequestDto): Promise<AgentUsageResponseDto> {
    return this.queries.execute(new GetAgentUsageQuery(tenantId, id, query.limit));
  }
}
