import { createHash } from 'node:crypto';
import { NextFunction, Request, RequestHandler, Response } from 'express';
import { presentedSecret, sameSecret } from './admin.guard';
import { errorBody } from './errors.filter';

const WINDOW_MS = 60_000;

/** The admin token, as bearer or basic-auth password: operators are never limited. */
function isAdmin(request: Request, adminToken: string): boolean {
  const secret = presentedSecret(request);
  return secret !== undefined && sameSecret(secret, adminToken);
}

/**
 * RATE_LIMIT_PER_MINUTE requests a minute per token (hashed; any bearer token counts as its own
 * client) or, without one, per IP; health checks and the admin are exempt. A fixed one-minute
 * window per api process; over it: 429 with Retry-After and the contract's error body.
 */
export function rateLimit(perMinute: number, adminToken: string): RequestHandler {
  const windows = new Map<string, { start: number; count: number }>();
  let sweep = Date.now();
  return (request: Request, response: Response, next: NextFunction) => {
    if (perMinute <= 0 || request.path.startsWith('/health/') || isAdmin(request, adminToken)) return next();
    const now = Date.now();
    if (now - sweep > WINDOW_MS) {
      for (const [key, window] of windows) if (now - window.start >= WINDOW_MS) windows.delete(key);
      sweep = now;
    }
    const bearer = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1];
    const key = bearer ? `token:${createHash('sha256').update(bearer).digest('hex')}` : `ip:${request.ip}`;
    let window = windows.get(key);
    if (!window || now - window.start >= WINDOW_MS) {
      window = { start: now, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    response.setHeader('RateLimit-Limit', String(perMinute));
    response.setHeader('RateLimit-Remaining', String(Math.max(0, perMinute - window.count)));
    if (window.count <= perMinute) return next();
    const retryAfter = Math.ceil((window.start + WINDOW_MS - now) / 1000);
    response.setHeader('Retry-After', String(retryAfter));
    response.status(429).json(errorBody(429, `more than ${perMinute} requests a minute; retry in ${retryAfter} s`));
  };
}
