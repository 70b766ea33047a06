import { Command, CommandRunner, Option } from 'nest-commander';
import { DEAD_LETTER_STATUSES, DeadLetterStatus } from '@cognition/events/contracts';
import { discardDeadLetter } from '@cognition/events/application/commands/discard-dead-letter/discard-dead-letter';
import { DeadLetterRow, DeadLetterStore, deadLetterView } from '@cognition/events/infrastructure/dead-letter-store';
import { sqlOfManager } from '@cognition/platform/database/manager-sql';
import { isUuid } from '@cognition/platform/ids/uuid';
import { CliDatabase } from './cli-database';

async function store(database: CliDatabase): Promise<DeadLetterStore> {
  const db = await database.open();
  return new DeadLetterStore(sqlOfManager(db));
}

interface ListOptions {
  subscriber?: string;
  tenant?: string;
  status?: DeadLetterStatus;
  limit?: number;
}

@Command({ name: 'dead-letters:list', description: 'List dead letters, newest first (every tenant unless --tenant)' })
export class DeadLettersListCommand extends CommandRunner {
  constructor(private readonly database: CliDatabase) {
    super();
  }

  async run(_: string[], options: ListOptions): Promise<void> {
    if (options.tenant !== undefined && !isUuid(options.tenant)) throw new Error(`--tenant ${options.tenant}: not a tenant id (a UUID)`);
    const deadLetters = await store(this.database);
    const rows = await deadLetters.list(options.tenant ?? null, { subscriber: options.subscriber, status: options.status }, undefined, options.limit ?? 100);
    console.log(JSON.stringify(rows.map(deadLetterView), null, 2));
  }

  @Option({ flags: '-s, --subscriber <name>', description: 'only this subscriber’s' })
  parseSubscriber(value: string): string {
    return value;
  }

  @Option({ flags: '-t, --tenant <tenantId>', description: 'only this tenant’s' })
  parseTenant(value: string): string {
    return value;
  }

  @Option({ flags: '--status <status>', description: `only this status: ${DEAD_LETTER_STATUSES.join(', ')} (default: all)` })
  parseStatus(value: string): DeadLetterStatus {
    if (!(DEAD_LETTER_STATUSES as readonly string[]).includes(value)) throw new Error(`--status must be one of ${DEAD_LETTER_STATUSES.join(', ')}`);
    return value as DeadLetterStatus;
  }

  @Option({ flags: '-n, --limit <n>', description: 'at most this many (default 100)' })
  parseLimit(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error('--limit must be an integer from 1 to 10000');
    return n;
  }
}

@Command({
  name: 'dead-letters:retry',
  arguments: '<id>',
  description: 'Retry a dead letter: a running server or worker delivers it to its subscriber once; prints the outcome (exit 1 if it failed again)',
})
export class DeadLettersRetryCommand extends CommandRunner {
  constructor(private readonly database: CliDatabase) {
    super();
  }

  async run([id]: string[], options: { wait?: number }): Promise<void> {
    if (!isUuid(id)) throw new Error(`${id}: not a dead letter id (a UUID)`);
    const deadLetters = await store(this.database);
    const before = await deadLetters.get(null, id);
    if (!before) throw new Error(`no dead letter ${id}`);
    if (before.status !== 'dead') throw new Error(`dead letter ${id} is ${before.status} already; only a dead one can be retried`);
    // The CLI runs no subscribers: a server or worker takes the request (NOTIFY, else its poll) and records the outcome on the row.
    if (!(await deadLetters.requestRetry(id))) throw new Error(`dead letter ${id} was resolved meanwhile`);
    const waitMs = (options.wait ?? 30) * 1000;
    const until = Date.now() + waitMs;
    let now: DeadLetterRow | undefined = before;
    while (now && now.status === 'dead' && now.attempts === before.attempts) {
      if (Date.now() > until) {
        throw new Error(`no CognitionOS server or worker took the retry of ${id} within ${waitMs / 1000} s; it stays requested and runs when one starts (or retry over the API)`);
      }
      await new Promise((r) => setTimeout(r, 200));
      now = await deadLetters.get(null, id);
    }
    if (!now) throw new Error(`dead letter ${id} is gone`);
    const outcome = now.status === 'retried' ? 'delivered' : now.status === 'dead' ? 'failed' : now.status;
    console.log(JSON.stringify({ outcome, deadLetter: deadLetterView(now) }, null, 2));
    if (outcome === 'failed') throw new Error(`the retry of ${id} failed again: ${now.error.message}`);
  }

  @Option({ flags: '-w, --wait <seconds>', description: 'how long to wait for a server or worker to run it (default 30)' })
  parseWait(value: string): number {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new Error('--wait must be a number of seconds from 1 to 3600');
    return n;
  }
}

@Command({ name: 'dead-letters:discard', arguments: '<id>', description: 'Discard a dead letter: its event is not delivered to that subscriber' })
export class DeadLettersDiscardCommand extends CommandRunner {
  constructor(private readonly database: CliDatabase) {
    super();
  }

  async run([id]: string[]): Promise<void> {
    const view = await discardDeadLetter(await store(this.database), null, id);
    console.log(JSON.stringify(view, null, 2));
  }
}
