import 'reflect-metadata';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationPipe } from '@nestjs/common';
import { PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';

/**
 * There is no global validation pipe (it would put every route parameter through Nest's async pipe
 * chain): each DTO body and query declares it with `@ValidBody()` / `@ValidQuery()`. This walks every
 * controller under src/ and fails on a DTO parameter without the pipe, and on a route or query
 * parameter typed other than string (nothing converts it any more).
 */
const SRC = join(__dirname, '..', '..');
const PLAIN = new Set<unknown>([Object, String, Number, Boolean, Array, undefined]);

function controllerFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return controllerFiles(path);
    return name.endsWith('.controller.ts') ? [path] : [];
  });
}

interface RouteArg {
  index: number;
  data?: unknown;
  pipes: unknown[];
}

interface Param {
  where: string;
  type: RouteParamtypes;
  data: unknown;
  metatype: unknown;
  validated: boolean;
}

function params(): { controllers: number; params: Param[] } {
  const found: Param[] = [];
  let controllers = 0;
  for (const file of controllerFiles(SRC)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exports = require(file) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value !== 'function' || Reflect.getMetadata(PATH_METADATA, value) === undefined) continue;
      controllers++;
      for (const method of Object.getOwnPropertyNames(value.prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, value, method) ?? {}) as Record<string, RouteArg>;
        const types = (Reflect.getMetadata('design:paramtypes', value.prototype, method) ?? []) as unknown[];
        for (const [key, arg] of Object.entries(args)) {
          const type = Number(key.split(':')[0]);
          if (Number.isNaN(type)) continue; // a custom decorator (@TenantId): no pipe applies
          found.push({
            where: `${name}.${method} argument ${arg.index}`,
            type,
            data: arg.data,
            metatype: types[arg.index],
            validated: arg.pipes.some((p) => p instanceof ValidationPipe),
          });
        }
      }
    }
  }
  return { controllers, params: found };
}

describe('validation of request DTOs', () => {
  const { controllers, params: all } = params();

  it('finds the controllers and their parameters', () => {
    expect(controllers).toBeGreaterThanOrEqual(15);
    expect(all.filter((p) => p.type === RouteParamtypes.BODY || p.type === RouteParamtypes.QUERY).length).toBeGreaterThanOrEqual(30);
  });

  it('every body and query of a DTO type is validated (@ValidBody / @ValidQuery)', () => {
    const dto = all.filter((p) => (p.type === RouteParamtypes.BODY || p.type === RouteParamtypes.QUERY) && !PLAIN.has(p.metatype));
    expect(dto.length).toBeGreaterThanOrEqual(25);
    expect(dto.filter((p) => !p.validated).map((p) => p.where)).toEqual([]);
  });

  it('route parameters and single query fields are strings (no pipe converts them)', () => {
    const named = all.filter((p) => (p.type === RouteParamtypes.PARAM || p.type === RouteParamtypes.QUERY) && p.data !== undefined);
    expect(named.filter((p) => p.metatype !== String && !p.validated).map((p) => p.where)).toEqual([]);
  });
});
