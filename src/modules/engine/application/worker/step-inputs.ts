import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { StepRow } from '../../domain/step-context';
import { loadForEachItems, loadStepRows } from '../../infrastructure/for-each-items';
import { sqlOf } from '../../infrastructure/sql';

type Waiter = { resolve: (items: Map<string, unknown>) => void; reject: (error: unknown) => void };

/**
 * What the runner reads beyond the claim: the stored item of a forEach item row, and the finished
 * steps a forEach list expression reads. Item reads of the steps a worker starts together go in one
 * query (collected until the current turn of the event loop ends).
 */
@Injectable()
export class StepInputs {
  private batch: { ids: Set<string>; waiters: Waiter[] } | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private get pool(): Pool {
    return (this.db.driver as unknown as { master: Pool }).master;
  }

  /** The stored items of these item rows (absent: not stored). */
  items(id: string): Promise<Map<string, unknown>> {
    if (!this.batch) {
      const batch: { ids: Set<string>; waiters: Waiter[] } = { ids: new Set(), waiters: [] };
      this.batch = batch;
      queueMicrotask(() => {
        this.batch = null;
        loadForEachItems(sqlOf(this.pool), [...batch.ids]).then(
          (items) => batch.waiters.forEach((w) => w.resolve(items)),
          (error: unknown) => batch.waiters.forEach((w) => w.reject(error)),
        );
      });
    }
    this.batch.ids.add(id);
    return new Promise((resolve, reject) => this.batch!.waiters.push({ resolve, reject }));
  }

  stepRows(executionId: string): Promise<StepRow[]> {
    return loadStepRows(sqlOf(this.pool), executionId);
  }
}
