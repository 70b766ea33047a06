import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '@cognition/platform/auth/public.decorator';
import { ApiPublic } from '@cognition/platform/http/openapi';
import { LivenessResponseDto, ReadinessResponseDto } from './health.response.dto';

@ApiTags('ops')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  @Public()
  @ApiPublic()
  @Get('live')
  @ApiOperation({ operationId: 'checkLiveness', summary: 'Liveness: the process is up (no dependency is checked)' })
  @ApiOkResponse({ type: LivenessResponseDto, description: 'The process is up' })
  live(): LivenessResponseDto {
    return { status: 'ok' };
  }

  @Public()
  @ApiPublic()
  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ operationId: 'checkReadiness', summary: 'Readiness: the database answers' })
  @ApiOkResponse({ type: ReadinessResponseDto, description: 'Every check passed' })
  @ApiResponse({
    status: 503,
    description: 'A check failed (SERVICE_UNAVAILABLE): `errors` names each failing check',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponseDto' } } },
  })
  ready(): Promise<ReadinessResponseDto> {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 2000 })]) as Promise<ReadinessResponseDto>;
  }
}
