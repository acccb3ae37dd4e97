import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { NextFunction, Request, RequestHandler, Response } from 'express';
import { QUEUES, QueueService } from '@paperfeed/queue';
import { presentedSecret, sameSecret } from '../common/admin.guard';
import { errorBody } from '../common/errors.filter';
import { MetricsService } from './metrics.service';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * The admin token, as a bearer token or as the password of HTTP basic authentication (so a
 * browser can open the dashboard: it asks for credentials on the 401).
 */
export function adminAuth(adminToken: string): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const given = presentedSecret(request);
    if (given && sameSecret(given, adminToken)) return next();
    response.setHeader('WWW-Authenticate', 'Basic realm="paperfeed operators", charset="UTF-8"');
    response.status(401).json(errorBody(401, 'the admin token is required (bearer, or as the basic-auth password)'));
  };
}

/** Bull Board over every queue of the registry. */
export function bullBoard(queues: QueueService): RequestHandler {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: QUEUES.map((name) => new BullMQAdapter(queues.queue(name))), serverAdapter });
  return serverAdapter.getRouter() as RequestHandler;
}

/** Times every request for the paperfeed_http_request_duration_seconds histogram, by route pattern. */
export function httpMetrics(metrics: MetricsService): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const route = request.route?.path
        ? `${request.baseUrl}${request.route.path}`
        : request.path.startsWith(BULL_BOARD_PATH)
          ? BULL_BOARD_PATH
          : 'unmatched';
      metrics.httpDuration.observe(
        { method: request.method, route, status: String(response.statusCode) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    next();
  };
}
