/* global process, console */
/**
 * "The limit" for the API benchmark: a bare Fastify server with one GET route that answers a fixed
 * JSON object. No Nest, no auth, no database, no logging. Started by bench/api/run.ts as
 *   node bench/api/bare-server.mjs
 * with env PORT, HOST (default 127.0.0.1) and BARE_BODY_FILE (a JSON file holding the body).
 *
 * Diagnostic mode (BARE_PG_TENANT set): before answering, the route reads the workflow row by its
 * primary key with plain `pg` (pool of DB_POOL_SIZE, DB_* connection settings) and answers 404
 * when there is none: the cost of one PostgreSQL round trip without Nest or TypeORM.
 *
 * Plain JS on purpose: running it through ts-node would load node:domain and other hooks into the
 * process and slow "the limit" down.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import pg from 'pg';

const file = process.env.BARE_BODY_FILE;
if (!file) throw new Error('BARE_BODY_FILE is required');
const body = JSON.parse(readFileSync(file, 'utf8'));
const tenant = process.env.BARE_PG_TENANT;

const app = Fastify({ logger: false });
const route = '/api/v3/workflows/:id/versions/:version';

if (!tenant) {
  // Same URL shape as ours; the handler returns the object and Fastify serializes it, as Nest does.
  app.get(route, async () => body);
} else {
  const pool = new pg.Pool({
    host: process.env.DB_HOST || '127.0.0.1',
    port: Number(process.env.DB_PORT || 5432),
    user: process.env.DB_USER || 'postgres',
    password: process.env.DB_PASSWORD || '',
    database: process.env.DB_NAME,
    max: Number(process.env.DB_POOL_SIZE || 20),
  });
  const sql = 'SELECT * FROM workflows WHERE tenant_id = $1 AND workflow_id = $2 AND version = $3';
  app.get(route, async (request, reply) => {
    const { rows } = await pool.query(sql, [tenant, request.params.id, request.params.version]);
    if (rows.length === 0) return reply.code(404).send({ code: 'WORKFLOW_NOT_FOUND' });
    return body;
  });
  app.addHook('onClose', () => pool.end());
}

app
  .listen({ port: Number(process.env.PORT || 0), host: process.env.HOST || '127.0.0.1' })
  .then((address) => console.log(`bare fastify${tenant ? ' + pg' : ''} listening on ${address}`))
  .catch((error) => {
    console.error(error.message);
    process.exit(1);
  });

for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => void app.close().then(() => process.exit(0)));
