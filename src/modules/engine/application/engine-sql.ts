import { Injectable } from '@nestjs/common';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { Sql, sqlOfManager } from '../infrastructure/sql';

/** The SQL runner of the current transaction (one per command), or of the pool outside one. */
@Injectable()
export class EngineSql {
  constructor(private readonly txHost: TransactionHost) {}

  get sql(): Sql {
    return sqlOfManager((this.txHost as unknown as Tx).tx);
  }
}
