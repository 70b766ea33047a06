import { Injectable } from '@nestjs/common';
import { TransactionHost, Tx } from '@cognition/platform/transaction/transaction';

/**
 * Raw SQL on the current CLS transaction (one per command), or on the pool outside one. The memory
 * tables are not TypeORM entities (untyped `vector`, `ltree`, per-model indexes).
 */
@Injectable()
export class MemorySql {
  constructor(private readonly txHost: TransactionHost) {}

  private get host(): Tx {
    return this.txHost as unknown as Tx;
  }

  /** One statement's rows (TypeORM answers UPDATE/DELETE as `[rows, count]`: this gives the rows). */
  async query<R = any>(text: string, params: unknown[] = []): Promise<R[]> {
    const result = await this.host.tx.query(text, params);
    const isUpdateResult = Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number';
    return (isUpdateResult ? result[0] : result) as R[];
  }

  get inTransaction(): boolean {
    return this.host.isTransactionActive();
  }

  /** Runs `work` in the current transaction, or in a new one when there is none. */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.inTransaction ? work() : this.host.withTransaction(work);
  }
}
