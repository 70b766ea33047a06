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
    if (problem.status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    const reply = host.switchToHttp().getResponse<ReplyLike>();
    reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(problem);
  }
}
