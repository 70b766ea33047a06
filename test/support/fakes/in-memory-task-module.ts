import { Type } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { ClsPluginTransactional, NoOpTransactionalAdapter } from '@nestjs-cls/transactional';
import { ClsModule } from 'nestjs-cls';
import { TaskCascade } from '@cognition/task/application/task-cascade';
import { TaskCreator } from '@cognition/task/application/task-creator';
import { TaskIdempotencyStore } from '@cognition/task/domain/task-idempotency.port';
import { TaskRepository } from '@cognition/task/domain/task.repository.port';
import { InMemoryTaskIdempotencyStore } from './in-memory-task-idempotency.store';
import { InMemoryTaskRepository } from './in-memory-task.repository';

export interface TaskUnitModule {
  moduleRef: TestingModule;
  repo: InMemoryTaskRepository;
  keys: InMemoryTaskIdempotencyStore;
}

/**
 * A Nest module for unit tests of task handlers: the in-memory ports and a no-op transaction
 * adapter so @Transactional() runs without a database.
 */
export async function taskUnitModule(...handlers: Type<unknown>[]): Promise<TaskUnitModule> {
  const repo = new InMemoryTaskRepository();
  const keys = new InMemoryTaskIdempotencyStore();
  const moduleRef = await Test.createTestingModule({
    imports: [ClsModule.forRoot({ plugins: [new ClsPluginTransactional({ adapter: new NoOpTransactionalAdapter({ tx: {}, disableWarning: true }) })] })],
    providers: [...handlers, TaskCreator, TaskCascade, { provide: TaskRepository, useValue: repo }, { provide: TaskIdempotencyStore, useValue: keys }],
  }).compile();
  return { moduleRef, repo, keys };
}
