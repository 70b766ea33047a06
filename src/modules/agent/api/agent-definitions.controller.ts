import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { instanceToPlain } from 'class-transformer';
import { TenantId } from '@cognition/platform/auth/tenant-id.decorator';
import { DomainError } from '@cognition/platform/domain';
import { ApiProblems } from '@cognition/platform/errors/api-problem-responses.decorator';
import { ValidBody, ValidQuery } from '@cognition/platform/errors/validation.pipe';
import { AgentDefinitionInput, DeleteAgentDefinitionCommand, GetAgentDefinitionQuery, ListAgentDefinitionsQuery, RegisterAgentDefinitionCommand, UpdateAgentDefinitionCommand } from '../contracts';
import { ListAgentDefinitionsRequestDto, RegisterAgentDefinitionRequestDto, UpdateAgentDefinitionRequestDto } from './agent-definition.request.dto';
import { AgentDefinitionPageResponseDto, AgentDefinitionResponseDto } from './agent-definition.response.dto';

@ApiTags('agents')
@ApiBearerAuth()
@Controller('agent-definitions')
export class AgentDefinitionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'registerAgentDefinition', summary: 'Register an agent definition (unique per name and version); defaults filled in' })
  @ApiCreatedResponse({ type: AgentDefinitionResponseDto })
  @ApiProblems(400, 409, 413, 422)
  async register(@TenantId() tenantId: string, @ValidBody() body: RegisterAgentDefinitionRequestDto): Promise<AgentDefinitionResponseDto> {
    const input = instanceToPlain(body) as AgentDefinitionInput;
    return AgentDefinitionResponseDto.from(await this.commands.execute(new RegisterAgentDefinitionCommand(tenantId, input)));
  }

  @Get()
  @ApiOperation({ operationId: 'listAgentDefinitions', summary: 'Agent definitions in registration order, filtered by name and role' })
  @ApiOkResponse({ type: AgentDefinitionPageResponseDto })
  @ApiProblems(400, 422)
  async list(@TenantId() tenantId: string, @ValidQuery() query: ListAgentDefinitionsRequestDto): Promise<AgentDefinitionPageResponseDto> {
    const page = await this.queries.execute(new ListAgentDefinitionsQuery(tenantId, { name: query.name, role: query.role, limit: query.limit, cursor: query.cursor }));
    return { items: page.items.map(AgentDefinitionResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getAgentDefinition', summary: 'One agent definition' })
  @ApiOkResponse({ type: AgentDefinitionResponseDto })
  @ApiProblems(404)
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<AgentDefinitionResponseDto> {
    return AgentDefinitionResponseDto.from(await this.queries.execute(new GetAgentDefinitionQuery(tenantId, id)));
  }

  @Put(':id')
  @ApiOperation({ operationId: 'updateAgentDefinition', summary: 'Replace every field but name and version; agents already made keep their copied config' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision the change is based on; another revision is 409' })
  @ApiOkResponse({ type: AgentDefinitionResponseDto })
  @ApiProblems(400, 404, 409, 413, 422)
  async update(@TenantId() tenantId: string, @Param('id') id: string, @ValidBody() body: UpdateAgentDefinitionRequestDto, @Headers('If-Match') ifMatch?: string): Promise<AgentDefinitionResponseDto> {
    const input = instanceToPlain(body) as AgentDefinitionInput;
    return AgentDefinitionResponseDto.from(await this.commands.execute(new UpdateAgentDefinitionCommand(tenantId, id, input, revisionOf(ifMatch))));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteAgentDefinition', summary: 'Delete a definition; refused (409) while agents of it are not terminated' })
  @ApiNoContentResponse()
  @ApiProblems(404, 409)
  async delete(@TenantId() tenantId: string, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new DeleteAgentDefinitionCommand(tenantId, id));
  }
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3. */
function revisionOf(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '' || ifMatch.trim() === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(ifMatch.trim());
  if (!match) throw new DomainError('BAD_REQUEST', 'If-Match must be the revision of the definition, e.g. "3"', [{ path: 'If-Match', message: 'not a revision' }]);
  return Number(match[1]);
}
