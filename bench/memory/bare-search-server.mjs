/* global process, console */
/**
 * The "raw pgvector over HTTP" peer of the memory comparison: a bare Fastify server with one
 * search route that runs the raw statement (bench/memory/raw-sql.ts, passed in BARE_SEARCH_SQL as
 * `{ "<variant>:<f|u>": text }`) on a pg pool of BARE_POOL_SIZE connections. No Nest, no auth, no
 * validation, no logging: the cost of answering a vector search over HTTP at all, the same table,
 * the same index and the same settings as raw pgvector. Started by bench/memory/http-raw.ts as
 *   node bench/memory/bare-search-server.mjs
 * with PORT, DB_* and BARE_SEARCH_SQL.
 *
 *   GET /health                                  answers once listening
 *   POST /configure {"settings": ["SET …", …]}  runs the statements on every connection of the pool
 *   POST /search {"variant","k","namespace"?,"embedding":[…]}  answers {"ids": [...]}, nearest first
 *
 * Plain JS, as bench/api/bare-server.mjs, so that no ts-node hooks slow the peer down.
 */
import Fastify from 'fastify';
import { poolFromEnv } from '../support/env-pool.mjs';

const statements = JSON.parse(process.env.BARE_SEARCH_SQL || '{}');
const size = Number(process.env.BARE_POOL_SIZE || 4);
const pool = poolFromEnv({
  application_name: 'bench-memory-http-raw',
  max: size,
  // Session settings live on the connections: none may close and come back without them.
  idleTimeoutMillis: 0,
});
pool.on('error', (error) => console.error(`pool: ${error.message}`));

const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });

app.get('/health', async () => ({ ok: true }));

app.post('/configure', async (request) => {
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  try {
    for (const client of clients) for (const statement of request.body.settings) await client.query(statement);
  } finally {
    for (const client of clients) client.release();
  }
  return { connections: clients.length };
});

app.post('/search', async (request, reply) => {
  const { variant, k, namespace, embedding } = request.body;
  const key = `${variant}:${namespace === undefined ? 'u' : 'f'}`;
  const text = statements[key];
  if (!text) return reply.code(400).send({ error: `no statement for ${key}` });
  const vector = JSON.stringify(embedding);
  const { rows } = await pool.query({ name: `s_${key.replace(/\W/g, '_')}_${k}`, text, values: namespace === undefined ? [vector] : [vector, namespace] });
  return { ids: rows.map((r) => r.id) };
});

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST || '127.0.0.1' });
