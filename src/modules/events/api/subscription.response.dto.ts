import { ApiExtraModels, ApiProperty } from '@nestjs/swagger';
import { nullableRef } from '@cognition/platform/http/openapi';
import { SUBSCRIBER_STATES, SubscriberState } from '../contracts';
import { PendingRetryResponseDto } from './handler-failure.response.dto';

export class CheckpointResponseDto {
  @ApiProperty({ description: 'Position of the last event the subscriber went past (a bigint as a decimal string; "0": none yet)', example: '1042' })
  position!: string;
  @ApiProperty({ description: 'Transaction id of that event (xid8, decimal): with the position, the place in store order', example: '771' })
  txId!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the checkpoint last moved (null: the subscriber never ran)' })
  updatedAt!: string | null;
}

export class SubscriptionLagResponseDto {
  @ApiProperty({ description: 'Your events of its types after its checkpoint, counted up to 10,000' }) events!: number;
  @ApiProperty({ description: 'true: there are more than 10,000 (events is 10,000)' }) capped!: boolean;
}

@ApiExtraModels(PendingRetryResponseDto)
export class SubscriptionResponseDto {
  @ApiProperty({ example: 'trace-spans' }) name!: string;
  @ApiProperty({ type: [String], description: 'The event types it takes' }) eventTypes!: string[];
  @ApiProperty({ type: CheckpointResponseDto, description: 'Its live checkpoint (one per subscriber, for every tenant)' }) checkpoint!: CheckpointResponseDto;
  @ApiProperty({ type: SubscriptionLagResponseDto }) lag!: SubscriptionLagResponseDto;
  @ApiProperty({ description: 'Your open (dead) dead letters of this subscriber' }) deadLetters!: number;
  @ApiProperty({
    enum: SUBSCRIBER_STATES,
    description: '`stopped`: no instance serves it; `retrying`: held at a failing event (anyone’s); `catching-up`: your events wait for it; `caught-up`: none do',
  })
  state!: SubscriberState;
  @ApiProperty(nullableRef(PendingRetryResponseDto, 'The failing event it is held at, when that event is yours; else null'))
  retry!: PendingRetryResponseDto | null;
}

export class SubscriptionListResponseDto {
  @ApiProperty({ type: [SubscriptionResponseDto] }) items!: SubscriptionResponseDto[];
}
