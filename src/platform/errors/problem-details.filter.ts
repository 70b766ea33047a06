import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { toProblem } from './problem';

interface ReplyLike {
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(body: unknown): void;
}

/** Renders every error as application/problem+json through the one code → status table. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const problem = toProblem(error);
    const url = host.switchToHttp().getRequest<{ url?: string }>()?.url ?? '';
    // An outage is not a bug: one line, no stack (every request would log one while it lasts); a
    // readiness probe reporting it is the probe doing its job, not worth a line per poll.
    if (problem.status === 503 && !url.startsWith('/health')) this.logger.warn(`${problem.detail}: ${error instanceof Error ? error.message : String(error)}`);
    else if (problem.status >= 500 && problem.status !== 503) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    const reply = host.switchToHttp().getResponse<ReplyLike>();
    if (problem.status === 503) reply.header('retry-after', '5');
    reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(problem);
  }
}
