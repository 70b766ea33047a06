import { ApiProperty } from '@nestjs/swagger';
import { EventEnvelopeResponseDto } from '@cognition/platform/outbox/event-envelope.response.dto';

export class EventPageResponseDto {
  @ApiProperty({ type: [EventEnvelopeResponseDto], description: 'Events in store order: `(transaction, position)`, the order the relay delivers them in' })
  items!: EventEnvelopeResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
