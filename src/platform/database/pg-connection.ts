import { Client, ClientConfig } from 'pg';
import { Env } from '@cognition/config/env.schema';

/**
 * pg client settings for connections outside TypeORM's pool (the shared LISTEN connection, sessions
 * that hold advisory locks, the claim connection). Each names itself in pg_stat_activity.
 */
export function pgClientConfig(env: Env, applicationName = 'cognition-os-session'): ClientConfig {
  const ssl = env.DB_SSL ? { rejectUnauthorized: false } : false;
  // A connect that hangs (a server that vanished without a reset) fails instead of waiting forever.
  const common = { ssl, application_name: applicationName, connectionTimeoutMillis: 10_000, keepAlive: true };
  if (env.DATABASE_URL) return { connectionString: env.DATABASE_URL, ...common };
  return { host: env.DB_HOST, port: env.DB_PORT, database: env.DB_NAME, user: env.DB_USER, password: env.DB_PASSWORD, ...common };
}

/**
 * Opens a session of its own (outside the pool), as the relays and retention hold one for their
 * advisory locks: `onError` hears a session lost later; a connect that fails closes the client.
 */
export async function connectSession(env: Env, applicationName: string, onError: (error: Error, client: Client) => void): Promise<Client> {
  const client = new Client(pgClientConfig(env, applicationName));
  client.on('error', (error) => onError(error, client));
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}
