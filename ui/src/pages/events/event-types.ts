import type { components } from '@client';

export type EventEnvelope = components['schemas']['EventEnvelopeResponseDto'];
export type Subscription = components['schemas']['SubscriptionResponseDto'];
export type DeadLetter = components['schemas']['DeadLetterResponseDto'];
export type DeadLetterStatus = DeadLetter['status'];
export const DEAD_LETTER_STATUSES: DeadLetterStatus[] = ['dead', 'retried', 'discarded'];
