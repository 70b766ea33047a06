import { Injectable } from '@nestjs/common';
import { sqlOfManager } from '@cognition/platform/database/manager-sql';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';

/** Runs one statement; resolves the rows. */
export type Sql = <R = any>(text: string, params?: unknown[]) => Promise<R[]>;

/** The SQL runner of the current transaction, or of the pool outside one. */
@Injectable()
export class EventsSql {
  constructor(private readonly txHost: TransactionHost) {}

  readonly sql: Sql = (text, params) => sqlOfManager((this.txHost as unknown as Tx).tx)(text, params);
}
