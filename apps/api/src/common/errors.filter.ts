import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { QueueUnavailableError } from '@paperfeed/queue';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** Connection-level database failures (as opposed to a bad query): the service is unavailable. */
function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  const message = (error as Error)?.message ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006', '08001'].includes(code) ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(message)
  );
}

/** Every error leaves as the contract's `{ statusCode, error, message }`. */
@Catch()
export class ErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error((exception as Error)?.stack ?? String(exception));
    if (body.statusCode === 503) response.setHeader('Retry-After', '5');
    // Explicitly: a route that answers Atom has set its own Content-Type before failing.
    response.status(body.statusCode).type('application/json').json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? (response as { message: string[] }).message.join('; ')
            : String((response as { message?: unknown }).message ?? exception.message);
      return errorBody(status, message);
    }
    if (exception instanceof QueueUnavailableError) {
      return errorBody(HttpStatus.SERVICE_UNAVAILABLE, 'the job queue (Redis) is unavailable; nothing was written, try again later');
    }
    // SQLSTATE class 22 (data exception: a NUL byte, an invalid value, an oversized search) comes
    // from what the client sent, not from us.
    const sqlState = (exception as { driverError?: { code?: string } })?.driverError?.code ?? (exception as { code?: string })?.code;
    if (exception instanceof QueryFailedError && typeof sqlState === 'string' && sqlState.startsWith('22')) {
      return errorBody(HttpStatus.BAD_REQUEST, `a value in the request cannot be used: ${(exception.driverError as Error).message}`);
    }
    if (isDatabaseUnavailable(exception) || (exception instanceof QueryFailedError && isDatabaseUnavailable(exception.driverError))) {
      return errorBody(HttpStatus.SERVICE_UNAVAILABLE, 'the database is unavailable; try again later');
    }
    return errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error');
  }
}
