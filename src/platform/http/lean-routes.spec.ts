import { Readable } from 'node:stream';
import {
  CallHandler,
  CanActivate,
  Controller,
  createParamDecorator,
  ExecutionContext,
  Get,
  Header,
  HttpCode,
  Injectable,
  NestInterceptor,
  NotFoundException,
  Param,
  ParseIntPipe,
  PipeTransform,
  Post,
  Redirect,
  Res,
  StreamableFile,
  UseGuards,
  UseInterceptors,
  UsePipes,
  BadRequestException,
  Body,
} from '@nestjs/common';
import { RouterExecutionContext } from '@nestjs/core/router/router-execution-context';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { FastifyReply } from 'fastify';
import { Observable, of } from 'rxjs';
import { map } from 'rxjs/operators';
import { useLeanRoutes } from './lean-routes';

const Tenant = createParamDecorator((_data: unknown, ctx: ExecutionContext) => (ctx.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-tenant'] ?? 'none'));

const Exploding = createParamDecorator(() => {
  throw new BadRequestException('cannot read this parameter');
});

/** A pipe that answers later, as a validation pipe that reads the database would. */
@Injectable()
class SlowUpperPipe implements PipeTransform {
  async transform(value: unknown): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (value === 'bad') throw new BadRequestException('bad value');
    return String(value).toUpperCase();
  }
}

@Injectable()
class DenyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-allow'] === 'yes';
  }
}

@Injectable()
class WrapInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value) => ({ wrapped: value })));
  }
}

@Controller('things')
class ThingsController {
  @Get(':id/parts/:part')
  @Header('x-custom', 'yes')
  async read(@Tenant() tenant: string, @Param('id') id: string, @Param('part') part: string): Promise<object> {
    await Promise.resolve();
    if (id === 'missing') throw new NotFoundException(`no ${id}`);
    return { tenant, id, part };
  }

  @Get('sync/:id')
  readNow(@Param('id') id: string): object {
    if (id === 'throw') throw new NotFoundException('thrown synchronously');
    return { id };
  }

  @Post('created')
  @HttpCode(202)
  accept(@Body() body: unknown): object {
    return { accepted: body };
  }

  @Get('number/:n')
  number(@Param('n', ParseIntPipe) n: number): object {
    return { n, type: typeof n };
  }

  @Get('slow/:a/:b')
  slow(@Param('a', SlowUpperPipe) a: string, @Param('b') b: string): object {
    return { a, b };
  }

  @Get('exploding')
  exploding(@Exploding() value: unknown): object {
    return { value };
  }

  @Get('all-piped/:a')
  @UsePipes(SlowUpperPipe)
  allPiped(@Param('a') a: string): object {
    return { a };
  }

  @Get('guarded')
  @UseGuards(DenyGuard)
  guarded(): object {
    return { guarded: true };
  }

  @Get('intercepted')
  @UseInterceptors(WrapInterceptor)
  intercepted(): object {
    return { value: 1 };
  }

  @Get('observable')
  observable(): Observable<object> {
    return of({ from: 'observable' });
  }

  @Get('file')
  file(): StreamableFile {
    return new StreamableFile(Readable.from([Buffer.from('file body')]), { type: 'text/plain' });
  }

  @Get('raw')
  raw(@Res() reply: FastifyReply): void {
    void reply.status(203).send({ raw: true });
  }

  @Get('redirect')
  @Redirect('/elsewhere', 302)
  redirect(): void {}

  @Get('rejects')
  async rejects(): Promise<never> {
    await Promise.resolve();
    throw new Error('not an HttpException');
  }
}

describe('lean routes (useLeanRoutes)', () => {
  let app: NestFastifyApplication;
  let built: string[];
  const slowSends: string[] = [];

  beforeAll(async () => {
    expect(useLeanRoutes()).toBe(true);
    expect(useLeanRoutes()).toBe(true); // idempotent
    const create = jest.spyOn(RouterExecutionContext.prototype, 'create');
    const moduleRef = await Test.createTestingModule({ controllers: [ThingsController], providers: [SlowUpperPipe, DenyGuard, WrapInterceptor] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    // An asynchronous onSend hook: the reply is not written when the handler's send returns.
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onSend', async (request, _reply, payload) => {
        if (request.headers['x-slow-send'] === 'yes') {
          slowSends.push(request.url);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return payload;
      });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    built = create.mock.calls.map((call) => call[2]);
    create.mockRestore();
  });

  afterAll(async () => {
    await app.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  it("leaves to Nest's own handler exactly the routes with guards, interceptors, @Res() or a redirect", () => {
    expect(built.sort()).toEqual(['guarded', 'intercepted', 'raw', 'redirect']);
  });

  it('answers with the parameters, the custom decorator, @Header and the default status', async () => {
    const response = await get('/things/a1/parts/p2', { 'x-tenant': 't1' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-custom']).toBe('yes');
    expect(response.json()).toEqual({ tenant: 't1', id: 'a1', part: 'p2' });
  });

  it('waits for an asynchronous onSend hook and sends once', async () => {
    const responses = await Promise.all([1, 2, 3].map((n) => get(`/things/a${n}/parts/p`, { 'x-slow-send': 'yes' })));
    expect(responses.map((r) => [r.statusCode, r.json()])).toEqual([1, 2, 3].map((n) => [200, { tenant: 'none', id: `a${n}`, part: 'p' }]));
    // Sent once: Fastify sends again (an empty body, "Reply was already sent") when the handler's promise settles before the reply is written.
    expect(slowSends.sort()).toEqual(['/things/a1/parts/p', '/things/a2/parts/p', '/things/a3/parts/p']);
  });

  it('sends what a synchronous handler returns, and @HttpCode', async () => {
    expect((await get('/things/sync/s1')).json()).toEqual({ id: 's1' });
    const posted = await app.inject({ method: 'POST', url: '/things/created', payload: { a: 1 } });
    expect([posted.statusCode, posted.json()]).toEqual([202, { accepted: { a: 1 } }]);
  });

  it('passes what a handler throws or rejects with to the exception filters', async () => {
    const thrown = await get('/things/sync/throw');
    expect([thrown.statusCode, thrown.json().message]).toEqual([404, 'thrown synchronously']);
    const rejected = await get('/things/missing/parts/p');
    expect([rejected.statusCode, rejected.json().message]).toEqual([404, 'no missing']);
    const unknown = await get('/things/rejects');
    expect(unknown.statusCode).toBe(500);
  });

  it('runs parameter pipes, synchronous and asynchronous, and their errors', async () => {
    expect((await get('/things/number/42')).json()).toEqual({ n: 42, type: 'number' });
    expect((await get('/things/number/forty')).statusCode).toBe(400);
    expect((await get('/things/slow/abc/def')).json()).toEqual({ a: 'ABC', b: 'def' });
    const rejected = await get('/things/slow/bad/def');
    expect([rejected.statusCode, rejected.json().message]).toEqual([400, 'bad value']);
    expect((await get('/things/all-piped/xyz')).json()).toEqual({ a: 'XYZ' });
    const exploding = await get('/things/exploding');
    expect([exploding.statusCode, exploding.json().message]).toEqual([400, 'cannot read this parameter']);
  });

  it("sends an Observable's value and streams a StreamableFile", async () => {
    expect((await get('/things/observable')).json()).toEqual({ from: 'observable' });
    const file = await get('/things/file');
    expect([file.statusCode, file.headers['content-type'], file.body]).toEqual([200, 'text/plain', 'file body']);
  });

  it('still runs guards, interceptors, @Res() and redirects through Nest', async () => {
    expect((await get('/things/guarded')).statusCode).toBe(403);
    expect((await get('/things/guarded', { 'x-allow': 'yes' })).json()).toEqual({ guarded: true });
    expect((await get('/things/intercepted')).json()).toEqual({ wrapped: { value: 1 } });
    const raw = await get('/things/raw');
    expect([raw.statusCode, raw.json()]).toEqual([203, { raw: true }]);
    const redirect = await get('/things/redirect');
    expect([redirect.statusCode, redirect.headers.location]).toEqual([302, '/elsewhere']);
  });
});

describe('lean routes with a global interceptor', () => {
  it("gives every route Nest's own handler again, and the interceptor runs", async () => {
    useLeanRoutes();
    const create = jest.spyOn(RouterExecutionContext.prototype, 'create');
    const moduleRef = await Test.createTestingModule({ controllers: [ThingsController], providers: [SlowUpperPipe, DenyGuard, WrapInterceptor] }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    app.useGlobalInterceptors(new WrapInterceptor());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      expect(create.mock.calls.map((call) => call[2])).toEqual(expect.arrayContaining(['read', 'readNow', 'number', 'slow', 'observable']));
      const response = await app.inject({ method: 'GET', url: '/things/sync/s1' });
      expect(response.json()).toEqual({ wrapped: { id: 's1' } });
    } finally {
      create.mockRestore();
      await app.close();
    }
  });
});
