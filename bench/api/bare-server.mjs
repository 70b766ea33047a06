/* global process, console */
/**
 * The peers of the API benchmark: bare Fastify servers with one GET route of the same URL shape as
 * ours. No Nest, no auth, no logging, no metrics. Started by bench/api/run.ts as
 *   node bench/api/bare-server.mjs
 * with env PORT, HOST (default 127.0.0.1) and BARE_MODE:
 *
 * - `pg` (the peer, "Fastify + the same SQL"): every request runs the statement our read path
 *   sends — BARE_SQL_NAME / BARE_SQL_TEXT, taken by run.ts from WorkflowReadModel, prepared and
 *   named the same, on a `pg` pool of DB_POOL_SIZE (the app's default, 20) with the DB_* settings —
 *   with the tenant BARE_PG_TENANT and the id and version from the URL, and answers the same JSON
 *   as ours, built from the row as our response DTO builds it (404 when there is no row).
 * - `fixed` (diagnostic, "the limit"): answers the JSON object in BARE_BODY_FILE, no database.
 *
 * Plain JS on purpose: running it through ts-node would load node:domain and other hooks into the
 * process and slow the peer down.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { poolFromEnv } from '../support/env-pool.mjs';

const mode = process.env.BARE_MODE || 'pg';
const app = Fastify({ logger: false });
const route = '/api/v3/workflows/:id/versions/:version';

/** The row as WorkflowResponseDto.from(WorkflowMapper.toSnapshot(row)) renders it (same fields, same order). */
function toResponse(r) {
  return {
    id: r.workflowId,
    version: r.version,
    name: r.name,
    description: r.description,
    status: r.status,
    steps: r.steps.map((s) => ({
      id: s.id,
      type: s.type,
      name: s.name,
      params: s.params,
      dependsOn: s.dependsOn,
      timeoutSeconds: s.timeoutSeconds,
      retry: { maxAttempts: s.retry.maxAttempts, backoff: s.retry.backoff, initialDelayMs: s.retry.initialDelayMs, maxDelayMs: s.retry.maxDelayMs, jitter: s.retry.jitter },
      condition: s.condition,
      forEach: s.forEach,
      agentRole: s.agentRole,
      concurrencyKey: s.concurrencyKey,
    })),
    schedule: r.schedule ? { cron: r.schedule.cron, timezone: r.schedule.timezone ?? 'UTC' } : null,
    tags: r.tags,
    inputSchema: r.inputSchema,
    outputs: r.outputs,
    createdBy: r.createdBy,
    revision: r.rowVersion,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

if (mode === 'fixed') {
  const file = process.env.BARE_BODY_FILE;
  if (!file) throw new Error('BARE_BODY_FILE is required with BARE_MODE=fixed');
  const body = JSON.parse(readFileSync(file, 'utf8'));
  // The handler returns the object and Fastify serializes it, as Nest does.
  app.get(route, async () => body);
} else if (mode === 'pg') {
  const tenant = process.env.BARE_PG_TENANT;
  const name = process.env.BARE_SQL_NAME;
  const text = process.env.BARE_SQL_TEXT;
  if (!tenant || !name || !text) throw new Error('BARE_PG_TENANT, BARE_SQL_NAME and BARE_SQL_TEXT are required with BARE_MODE=pg');
  const pool = poolFromEnv({ max: Number(process.env.DB_POOL_SIZE || 20) });
  app.get(route, async (request, reply) => {
    const { rows } = await pool.query({ name, text, values: [tenant, request.params.id, request.params.version] });
    if (rows.length === 0) return reply.code(404).send({ code: 'WORKFLOW_NOT_FOUND' });
    return toResponse(rows[0]);
  });
  app.addHook('onClose', () => pool.end());
} else {
  throw new Error(`BARE_MODE must be pg or fixed, not ${mode}`);
}

app
  .listen({ port: Number(process.env.PORT || 0), host: process.env.HOST || '127.0.0.1' })
  .then((address) => console.log(`bare fastify (${mode}) listening on ${address}`))
  .catch((error) => {
    console.error(error.message);
    process.exit(1);
  });

for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => void app.close().then(() => process.exit(0)));
