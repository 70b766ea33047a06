import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { NonRetryableStepError, StepContext, StepHandler, StepType } from '@cognition/engine/contracts';
import { CreateMemoriesCommand, type MemoryView, type NewMemory } from '../contracts';
import { MEMORY_STORE_PARAMS } from './memory-params.schema';
import { asStepCall, checkKnownParams, isObject } from './step-params';

/** The fields of a memory the step passes on; at the top level they are also the defaults of `items`. */
const MEMORY_FIELDS = ['namespace', 'memoryType', 'scope', 'userId', 'agentId', 'sessionId', 'importance', 'tags', 'metadata', 'expiresAt'] as const;
const PARAMS = ['content', 'items', 'embedding', 'embeddingModel', ...MEMORY_FIELDS] as const;
const ITEM_FIELDS = ['content', 'embedding', 'embeddingModel', ...MEMORY_FIELDS] as const;
export const MAX_STORE_ITEMS = 1000;

export interface MemoryStoreOutput {
  /** The first memory's id (the only one with `content`). */
  id: string;
  ids: string[];
  memories: MemoryView[];
}

/**
 * `memory_store`: writes memories (CreateMemoriesCommand, one transaction). Params: `content` for one
 * memory, or `items` (1–1,000 objects with `content` and any memory field) for a batch; and
 * `namespace`, `memoryType`, `scope`, `userId`, `agentId`, `sessionId`, `importance`, `tags`,
 * `metadata`, `expiresAt` — for `content` its fields, for `items` the defaults of each item. The
 * output is `{id, ids, memories}`. The command carries an idempotency key per step execution, so a
 * handler run twice writes once. Invalid params and refused
 * memories fail the step at once (INVALID_PARAMS, VALIDATION_FAILED…).
 */
@Injectable()
@StepType('memory_store', { params: MEMORY_STORE_PARAMS })
export class MemoryStoreStepType implements StepHandler {
  constructor(private readonly commands: CommandBus) {}

  async execute(context: StepContext): Promise<MemoryStoreOutput> {
    const memories = memoriesOf(context.params);
    const views = await asStepCall(() => this.commands.execute(new CreateMemoriesCommand(context.tenantId, memories, `memory_store:${context.stepExecutionId}`, context.params.items === undefined)));
    return { id: views[0].id, ids: views.map((v) => v.id), memories: views };
  }
}

function memoriesOf(params: Record<string, unknown>): NewMemory[] {
  checkKnownParams('memory_store', params, PARAMS);
  const { content, items } = params;
  const defaults = Object.fromEntries(MEMORY_FIELDS.filter((f) => params[f] !== undefined).map((f) => [f, params[f]]));
  if ((content === undefined) === (items === undefined)) throw new NonRetryableStepError('INVALID_PARAMS', 'memory_store needs either `content` (one memory) or `items` (a batch), not both');
  if (content !== undefined) {
    if (typeof content !== 'string') throw new NonRetryableStepError('INVALID_PARAMS', 'memory_store `content` must be a string');
    return [{ ...defaults, content, embedding: params.embedding, embeddingModel: params.embeddingModel } as NewMemory];
  }
  if (params.embedding !== undefined || params.embeddingModel !== undefined) throw new NonRetryableStepError('INVALID_PARAMS', 'memory_store: with `items`, give each item its own `embedding` and `embeddingModel`');
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_STORE_ITEMS || !items.every(isObject)) {
    throw new NonRetryableStepError('INVALID_PARAMS', `memory_store \`items\` must be an array of 1–${MAX_STORE_ITEMS} objects`);
  }
  return items.map((item, i) => {
    const unknown = Object.keys(item).filter((k) => !(ITEM_FIELDS as readonly string[]).includes(k));
    if (unknown.length) throw new NonRetryableStepError('INVALID_PARAMS', `memory_store items[${i}] has unknown field(s) ${unknown.join(', ')}`);
    return { ...defaults, ...item } as unknown as NewMemory;
  });
}
