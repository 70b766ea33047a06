import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';

export const IS_PUBLIC = 'cognitionos:public';
/** The key `@Public()` sets in a route's Fastify config (`request.routeOptions.config`), read by the API-key hook. */
export const PUBLIC_ROUTE = 'cognitionosPublic';

/**
 * Marks a route, or every route of a controller, that needs no API key (health, metrics).
 *
 * Authentication is a Fastify hook (`api-key.auth.ts`), which sees the route's Fastify config, not
 * Nest's metadata: besides `IS_PUBLIC` this sets `PUBLIC_ROUTE` in the route config of each handler,
 * merged with what `@RouteConfig()` set there. Put `@Public()` above `@RouteConfig()` on one method
 * (decorators apply bottom-up, and `@RouteConfig()` replaces the config): the other way round the
 * route needs a key.
 */
export function Public(): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      markPublic(descriptor.value as object);
      return;
    }
    // On a class, its method decorators have all run already: mark each of its handlers.
    Reflect.defineMetadata(IS_PUBLIC, true, target);
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const method = Object.getOwnPropertyDescriptor(prototype, name)?.value;
      if (name !== 'constructor' && typeof method === 'function') markPublic(method as object);
    }
  };
}

function markPublic(handler: object): void {
  Reflect.defineMetadata(IS_PUBLIC, true, handler);
  const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as Record<string, unknown> | undefined) ?? {};
  Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, [PUBLIC_ROUTE]: true }, handler);
}
