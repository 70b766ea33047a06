import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '@cognition/platform/auth/public.decorator';
import { ApiPublic } from '@cognition/platform/http/openapi';
import { BrokerRelays } from '@cognition/platform/outbox/broker/broker-relays';
import { LivenessResponseDto, ReadinessResponseDto } from './health.response.dto';

@ApiTags('ops')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly brokers: BrokerRelays,
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
  @ApiOperation({
    operationId: 'checkReadiness',
    summary: 'Readiness: the database answers',
    description:
      'With an event broker configured, `details.eventBrokers` reports each broker relay (state, connected, events behind, last error). ' +
      'It is always `up`: a broker outage never makes the instance unready (the outbox keeps the events until the broker is back).',
  })
  @ApiOkResponse({ type: ReadinessResponseDto, description: 'Every check passed' })
  @ApiResponse({
    status: 503,
    description: 'A check failed (SERVICE_UNAVAILABLE): `errors` names each failing check',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponseDto' } } },
  })
  ready(): Promise<ReadinessResponseDto> {
    const checks: HealthIndicatorFunction[] = [() => this.db.pingCheck('database', { timeout: 2000 })];
    if (this.brokers.configured) checks.push(async () => ({ eventBrokers: { status: 'up', ...this.brokers.status() } }));
    return this.health.check(checks) as Promise<ReadinessResponseDto>;
  }
}
