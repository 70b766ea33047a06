import 'reflect-metadata';
import { PipeTransform } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { IsInt, IsString, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { DomainError } from '@cognition/platform/domain';
import { ValidBody, ValidQuery } from './validation.pipe';

class GreetRequestDto {
  @IsString() name!: string;
}
class PageRequestDto {
  @Type(() => Number) @IsInt() @Min(1) limit!: number;
}
class GreetingController {
  greet(@ValidBody() body: GreetRequestDto, @ValidQuery() query: PageRequestDto): unknown {
    return { body, query };
  }
}

/** The pipe `@ValidBody()` / `@ValidQuery()` put on a parameter, as Nest would run it. */
function pipeOf(index: number): { pipe: PipeTransform; type: 'body' | 'query'; metatype: unknown } {
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, GreetingController, 'greet') as Record<string, { index: number; pipes: PipeTransform[] }>;
  const [key, arg] = Object.entries(args).find(([, a]) => a.index === index)!;
  const metatype = (Reflect.getMetadata('design:paramtypes', GreetingController.prototype, 'greet') as unknown[])[index];
  return { pipe: arg.pipes[0], type: key.startsWith('3:') ? 'body' : 'query', metatype };
}

async function run(index: number, value: unknown): Promise<unknown> {
  const { pipe, type, metatype } = pipeOf(index);
  return pipe.transform(value, { type, metatype: metatype as never, data: undefined });
}

async function errorOf(index: number, value: unknown): Promise<DomainError> {
  try {
    await run(index, value);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('the pipe accepted it');
}

describe('@ValidBody() and @ValidQuery()', () => {
  it('transforms a valid body into its DTO and converts query strings', async () => {
    expect(await run(0, { name: 'Ada' })).toBeInstanceOf(GreetRequestDto);
    expect(await run(1, { limit: '5' })).toEqual({ limit: 5 });
  });

  it('refuses unknown fields with UNKNOWN_FIELD, naming each', async () => {
    const error = await errorOf(0, { name: 'Ada', admin: true });
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('UNKNOWN_FIELD');
    expect(error.errors).toEqual([{ path: 'admin', code: 'UNKNOWN_FIELD', message: 'admin is not a known field' }]);
  });

  it('lists every other problem under VALIDATION_FAILED', async () => {
    const body = await errorOf(0, { name: 42 });
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors!.map((d) => d.path)).toEqual(['name']);
    const query = await errorOf(1, { limit: '0' });
    expect(query.code).toBe('VALIDATION_FAILED');
    expect(query.errors).toEqual([expect.objectContaining({ path: 'limit', code: 'min' })]);
  });
});
