import { json, NextFunction, Request, RequestHandler, Response } from 'express';
import { errorBody } from './errors.filter';

/**
 * A JSON body parser that answers its own errors in the contract's format (express would send
 * HTML): 413 over the limit, 400 for malformed JSON, 415 for a non-JSON body on a JSON route.
 */
export function jsonBody(limit: string): RequestHandler {
  const parse = json({ limit, strict: true });
  return (request: Request, response: Response, next: NextFunction) => {
    parse(request, response, (error?: unknown) => {
      if (!error) return next();
      const e = error as { status?: number; type?: string; message?: string };
      const status = e.status ?? 400;
      const message =
        e.type === 'entity.too.large'
          ? `request body is larger than ${limit}`
          : e.type === 'entity.parse.failed'
            ? 'request body is not valid JSON'
            : e.message ?? 'bad request body';
      response.status(status).json(errorBody(status, message));
    });
  };
}
