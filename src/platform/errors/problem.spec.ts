import { BadRequestException, HttpException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { DomainError, ERROR_CODES } from '@cognition/platform/domain';
import { ERROR_STATUS } from './error-status.map';
import { toProblem } from './problem';

describe('toProblem', () => {
  it('maps every domain code through the one table', () => {
    for (const code of ERROR_CODES) {
      const problem = toProblem(new DomainError(code, 'detail', [{ path: 'p', message: 'm' }]));
      expect(problem).toMatchObject({ status: ERROR_STATUS[code], code, detail: 'detail', errors: [{ path: 'p', message: 'm' }] });
      expect(problem.type).toMatch(/^https:\/\//);
    }
  });

  it('hides unexpected errors behind a bare 500', () => {
    const problem = toProblem(new Error('duplicate key value violates unique constraint "pk" at SELECT * FROM secrets'));
    expect(problem).toEqual({ type: expect.any(String), title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred', code: 'INTERNAL_ERROR' });
  });

  it('answers 503 while the database is unreachable, without internals', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(toProblem(refused)).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', detail: 'The database is not reachable right now; retry shortly' });
    const wrapped = Object.assign(new Error('terminating connection due to administrator command'), { driverError: Object.assign(new Error('x'), { code: '57P01' }) });
    expect(toProblem(wrapped)).toMatchObject({ status: 503 });
    expect(toProblem(Object.assign(new Error('syntax error'), { code: '42601' }))).toMatchObject({ status: 500 });
  });

  it('maps framework HTTP errors by status', () => {
    expect(toProblem(new NotFoundException('Cannot GET /nope'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(toProblem(new BadRequestException('bad'))).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(toProblem(new HttpException('too big', 413))).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(toProblem(new HttpException('nope', 405))).toMatchObject({ status: 405, code: 'BAD_REQUEST', title: 'Method Not Allowed' });
    expect(toProblem(new ServiceUnavailableException({ status: 'error', error: { database: { status: 'down' } } }))).toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      errors: [{ path: 'database', message: 'database is down' }],
    });
  });
});
