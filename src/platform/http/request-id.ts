/** Header carrying the request id (client-sent, or a fresh random UUID set by the Fastify adapter). */
export const REQUEST_ID_HEADER = 'x-request-id';
