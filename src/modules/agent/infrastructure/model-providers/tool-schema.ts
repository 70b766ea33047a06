/** Both APIs want a tool's arguments schema to be an object schema; a bare `{}` becomes one. */
export function objectSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  if (schema && typeof schema.type === 'string') return schema;
  return { type: 'object', properties: {}, ...(schema ?? {}) };
}
