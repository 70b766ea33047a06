/**
 * "The limit" for the API benchmark: a bare Fastify server with one GET route that answers a fixed
 * JSON object. No Nest, no auth, no database, no logging. Started by bench/api/run.ts as:
 *   node -r ts-node/register bench/api/bare-server.ts
 * with env PORT, HOST (default 127.0.0.1) and BARE_BODY_FILE (a JSON file holding the body).
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const file = process.env.BARE_BODY_FILE;
if (!file) throw new Error('BARE_BODY_FILE is required');
const body = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

const app = Fastify({ logger: false });
// Same URL shape as ours; the handler returns the object and Fastify serializes it, as Nest does.
app.get('/api/v3/workflows/:id/versions/:version', async () => body);

app
  .listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' })
  .then((address) => console.log(`bare fastify listening on ${address}`))
  .catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
