import { ApiProperty } from '@nestjs/swagger';

export class LivenessResponseDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}

const CHECKS = {
  type: 'object' as const,
  description: 'By check name (`database`; `eventBrokers` when a broker is configured, always `up`): its status, `up` or `down`, and what the check adds',
  additionalProperties: { type: 'object', properties: { status: { type: 'string', enum: ['up', 'down'] } }, required: ['status'], additionalProperties: true },
};

/** What `GET /health/ready` answers when every check passes (a failing check is a 503 problem). */
export class ReadinessResponseDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty(CHECKS) info!: Record<string, { status: string }>;
  @ApiProperty(CHECKS) error!: Record<string, { status: string }>;
  @ApiProperty(CHECKS) details!: Record<string, { status: string }>;
}
