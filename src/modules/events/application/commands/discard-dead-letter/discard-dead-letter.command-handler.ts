import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DeadLetterView, DiscardDeadLetterCommand } from '@cognition/events/contracts';
import { DeadLetterStore } from '@cognition/events/infrastructure/dead-letter-store';
import { discardDeadLetter } from './discard-dead-letter';

@CommandHandler(DiscardDeadLetterCommand)
export class DiscardDeadLetterCommandHandler implements ICommandHandler<DiscardDeadLetterCommand, DeadLetterView> {
  constructor(private readonly deadLetters: DeadLetterStore) {}

  execute({ tenantId, deadLetterId }: DiscardDeadLetterCommand): Promise<DeadLetterView> {
    return discardDeadLetter(this.deadLetters, tenantId, deadLetterId);
  }
}
