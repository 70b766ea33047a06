import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import type { DeadLetterView } from '@cognition/events/contracts';
import { DeadLetterStore, deadLetterView } from '@cognition/events/infrastructure/dead-letter-store';

/**
 * Marks a dead letter `discarded` (already discarded: no change); a `retried` one is 409
 * DEAD_LETTER_RESOLVED, a missing (or another tenant's) one 404. The API and the CLI both use it.
 */
export async function discardDeadLetter(deadLetters: DeadLetterStore, tenantId: string | null, id: string): Promise<DeadLetterView> {
  const notFound = () => new DomainError('DEAD_LETTER_NOT_FOUND', `Dead letter ${id} not found`);
  if (!isUuid(id)) throw notFound();
  const discarded = await deadLetters.discard(tenantId, id);
  if (discarded) return deadLetterView(discarded);
  const existing = await deadLetters.get(tenantId, id);
  if (!existing) throw notFound();
  if (existing.status === 'discarded') return deadLetterView(existing);
  throw new DomainError('DEAD_LETTER_RESOLVED', `Dead letter ${id} was retried already; it cannot be discarded`);
}
