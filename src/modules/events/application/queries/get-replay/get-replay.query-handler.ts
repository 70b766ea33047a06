import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@cognition/platform/domain';
import { isUuid } from '@cognition/platform/ids/uuid';
import { GetReplayQuery, ReplayView } from '@cognition/events/contracts';
import { ReplayStore, replayView } from '@cognition/events/infrastructure/replay-store';

@QueryHandler(GetReplayQuery)
export class GetReplayQueryHandler implements IQueryHandler<GetReplayQuery, ReplayView> {
  constructor(private readonly replays: ReplayStore) {}

  async execute({ tenantId, subscriber, replayId }: GetReplayQuery): Promise<ReplayView> {
    const row = isUuid(replayId) ? await this.replays.get(tenantId, subscriber, replayId) : undefined;
    if (!row) throw new DomainError('REPLAY_NOT_FOUND', `Replay ${replayId} of subscriber ${subscriber} not found`);
    return replayView(row);
  }
}
