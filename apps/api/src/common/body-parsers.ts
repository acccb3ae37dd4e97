import { json, NextFunction, Request, RequestHandler, Response } from 'express';
import { errorBody } from './errors.filter';

/** JSON bodies nested deeper than this are refused before they are parsed (CONTRACT: 32 levels). */
export const MAX_JSON_DEPTH = 32;

class TooDeepError extends Error {}

/**
 * The deepest nesting of arrays and objects in a JSON text, found in one pass over its bytes
 * (brackets inside strings do not count), stopping as soon as it exceeds `limit`.
 */
export function jsonDepthExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > limit) return true;
    } else if (byte === 0x5d || byte === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * A JSON body parser that answers its own errors in the contract's format (express would send
 * HTML): 413 over the limit, 400 for malformed or too deeply nested JSON, 415 for a non-JSON body
 * on a JSON route.
 */
export function jsonBody(limit: string): RequestHandler {
  const parse = json({
    limit,
    strict: true,
    verify: (_request, _response, buffer) => {
      if (jsonDepthExceeds(buffer, MAX_JSON_DEPTH)) throw new TooDeepError(`request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    },
  });
  return (request: Request, response: Response, next: NextFunction) => {
    parse(request, response, (error?: unknown) => {
      if (!error) return next();
      const e = error as { status?: number; type?: string; message?: string };
      const tooDeep = e.type === 'entity.verify.failed';
      const status = tooDeep ? 400 : (e.status ?? 400);
      const message =
        e.type === 'entity.too.large'
          ? `request body is larger than ${limit}`
          : e.type === 'entity.parse.failed'
            ? 'request body is not valid JSON'
            : (e.message ?? 'bad request body');
      response.status(status).json(errorBody(status, message));
    });
  };
}
