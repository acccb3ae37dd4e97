import { randomUUID } from 'node:crypto';
import { NextFunction, Request, Response } from 'express';
import { JsonLogger, redactUrl, withLogFields } from '@paperfeed/observability';

/** A client's own request id is kept when it is a plain token; otherwise one is made. */
const CLIENT_REQUEST_ID = /^[\w.:-]{1,100}$/;
/** Probes and scrapes are logged at debug level: they would drown the requests that matter. */
const QUIET_PATHS = /^\/(health|metrics)\b/;

/**
 * Gives each request an id (`X-Request-Id`, echoed in the response), puts it on every log line
 * written while the request is handled, and logs one line per request when it finishes (the URL
 * with secret query parameters redacted; headers, and so tokens, are never logged).
 */
export function requestContext(logger: JsonLogger) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const incoming = request.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && CLIENT_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    response.setHeader('X-Request-Id', requestId);
    const started = performance.now();
    response.on('finish', () => {
      const level = QUIET_PATHS.test(request.path) ? 'debug' : 'info';
      logger.pino[level](
        {
          requestId,
          method: request.method,
          url: redactUrl(request.originalUrl),
          status: response.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        'request',
      );
    });
    withLogFields({ requestId }, next);
  };
}
