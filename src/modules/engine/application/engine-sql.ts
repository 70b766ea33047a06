import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';
import { Sql, sqlOf, sqlOfManager } from '../infrastructure/sql';

/**
 * The SQL runner of the current transaction (one per command), or of the pool outside one. Outside
 * a transaction each statement goes straight to the pg pool, in autocommit, as a prepared statement
 * when it is named: no TypeORM query runner around it (a start took 2.5 ms in the process before, 2.0
 * after; docs/benchmarks.md, "Night session").
 */
@Injectable()
export class EngineSql {
  private pooled?: Sql;

  constructor(
    private readonly txHost: TransactionHost,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** Whether the statements run in a caller's transaction (whose effects others see only at its commit). */
  get inTransaction(): boolean {
    return (this.txHost as unknown as Tx).isTransactionActive();
  }

  get sql(): Sql {
    const host = this.txHost as unknown as Tx;
    if (host.isTransactionActive()) return sqlOfManager(host.tx);
    return (this.pooled ??= sqlOf((this.db.driver as unknown as { master: Pool }).master));
  }
}
