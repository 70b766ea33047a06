/** Header carrying the request id (client-sent, or a fresh UUIDv7 set by the Fastify adapter). */
export const REQUEST_ID_HEADER = 'x-request-id';
