/**
 * Ours embedded: the memory module as an application that imports our Nest modules runs it —
 * `CognitionOsCoreModule.forRoot()` and `MemoryModule` from the built dist/ (the package's public
 * surface, dist/src/index.js), booted in this process — searched with `SearchMemoriesQuery` on the
 * `QueryBus`, the same request as ours' HTTP body. Raw pgvector runs in this process too (`pg`), so
 * the two differ only by what the memory module does per search: no HTTP client, server or socket.
 */
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { MemorySearchRequest, MemorySearchResult } from '@cognition/memory/contracts';
import { childEnv } from './ours-api';
import { MODEL } from './raw-sql';

type PublicSurface = typeof import('@cognition/app/index');

export interface EmbeddedAnswer {
  ids: string[];
  strategy?: string;
}

export class EmbeddedOurs {
  private app?: INestApplicationContext;
  private execute?: (tenantId: string, request: MemorySearchRequest) => Promise<MemorySearchResult>;
  /** Query vectors as numbers, parsed once (the HTTP client sends the same text as JSON). */
  private readonly vectors = new Map<string, number[]>();

  constructor(
    private readonly root: string,
    private readonly database: string,
  ) {}

  /** Boots the modules with the environment ours' server gets (`env` on top), then puts this process's environment back. */
  async start(env: Record<string, string>): Promise<void> {
    const dist = join(this.root, 'dist', 'src');
    const saved = { ...process.env };
    Object.assign(process.env, childEnv(this.database, { LOG_LEVEL: 'warn', WORKER_ENABLED: 'false', AGENT_WORKER_ENABLED: 'false', SCHEDULER_ENABLED: 'false', ...env }));
    try {
      // Loaded only now: the config module reads the environment when it is built.
      await import('reflect-metadata');
      const cos = (await import(join(dist, 'index'))) as PublicSurface;
      const { Module } = await import('@nestjs/common');
      const { NestFactory } = await import('@nestjs/core');
      const { QueryBus } = await import('@nestjs/cqrs');
      class EmbeddingApp {}
      Module({ imports: [cos.CognitionOsCoreModule.forRoot(), cos.MemoryModule] })(EmbeddingApp);
      this.app = await NestFactory.createApplicationContext(EmbeddingApp, { logger: ['error', 'warn'] });
      const bus = this.app.get(QueryBus);
      this.execute = (tenantId, request) => bus.execute(new cos.SearchMemoriesQuery(tenantId, request));
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  }

  /** One vector search; `vector` is the query as pgvector text (also a JSON array). */
  async search(tenantId: string, vector: string, k: number, efSearch: number, namespace: string | undefined): Promise<EmbeddedAnswer> {
    let embedding = this.vectors.get(vector);
    if (!embedding) this.vectors.set(vector, (embedding = JSON.parse(vector) as number[]));
    const result = await this.execute!(tenantId, {
      mode: 'vector',
      embeddingModel: MODEL,
      k,
      efSearch,
      embedding,
      ...(namespace === undefined ? {} : { filters: { namespace } }),
    });
    return { ids: result.items.map((hit) => hit.memory.id), strategy: result.strategy?.vector };
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }
}
