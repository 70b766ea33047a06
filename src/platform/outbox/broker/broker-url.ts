/** A URL without its credentials, for logs and health details. */
export function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

/**
 * nats.js takes no credentials in a server URL: `nats://user:password@host:4222` becomes user and
 * pass, `nats://token@host:4222` a token, and the server is the URL without them.
 */
export function natsServerOptions(url: string): { servers: string; user?: string; pass?: string; token?: string } {
  const u = new URL(url);
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  const servers = `${u.protocol}//${u.host}`;
  if (user && pass) return { servers, user, pass };
  if (user) return { servers, token: user };
  return { servers };
}
