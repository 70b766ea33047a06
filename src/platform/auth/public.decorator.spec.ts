import 'reflect-metadata';
import { Controller, Get, Post } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import { IS_PUBLIC, PUBLIC_ROUTE, Public } from './public.decorator';

const routeConfig = (handler: unknown) => Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler as object) as Record<string, unknown> | undefined;

describe('@Public()', () => {
  it('on a method: Nest metadata and the Fastify route config of that handler only', () => {
    @Controller('x')
    class C {
      @Public()
      @Get('open')
      open(): void {}

      @Get('closed')
      closed(): void {}
    }
    expect(Reflect.getMetadata(IS_PUBLIC, C.prototype.open)).toBe(true);
    expect(routeConfig(C.prototype.open)).toEqual({ [PUBLIC_ROUTE]: true });
    expect(routeConfig(C.prototype.closed)).toBeUndefined();
    expect(Reflect.getMetadata(IS_PUBLIC, C.prototype.closed)).toBeUndefined();
  });

  it('keeps what @RouteConfig() below it set', () => {
    class C {
      @Public()
      @RouteConfig({ bodyLimit: 123 })
      @Post()
      hook(): void {}
    }
    expect(routeConfig(C.prototype.hook)).toEqual({ bodyLimit: 123, [PUBLIC_ROUTE]: true });
  });

  it('on a class: every handler of it, with their own route config kept', () => {
    @Public()
    @Controller('hooks')
    class C {
      @Post('a')
      a(): void {}

      @RouteConfig({ bodyLimit: 7 })
      @Post('b')
      b(): void {}
    }
    expect(Reflect.getMetadata(IS_PUBLIC, C)).toBe(true);
    expect(routeConfig(C.prototype.a)).toEqual({ [PUBLIC_ROUTE]: true });
    expect(routeConfig(C.prototype.b)).toEqual({ bodyLimit: 7, [PUBLIC_ROUTE]: true });
  });
});
