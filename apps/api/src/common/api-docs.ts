import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto';

/** An error answer of a route, documented with the one shared error body. */
export const ApiError = (status: number, description: string) => ApiResponse({ status, description, type: ErrorBodyDto });

/** 429 past the rate limit; for controllers whose auth decorator (AdminOnly, UserAuth) documents 401 itself. */
export const ApiRateLimited = () => ApiError(429, 'rate limit exceeded (RATE_LIMIT_PER_MINUTE per token or IP)');

/**
 * What every route behind the global CallerThrottlerGuard can answer (everything but /health/*):
 * 401 for a bearer token that is neither the admin's nor a user's, 429 past the rate limit.
 */
export const ApiCallerErrors = () => applyDecorators(ApiError(401, 'the bearer token is not valid'), ApiRateLimited());

/** Routes that read or write the database answer 503 while it is unavailable. */
export const ApiDatabaseErrors = () => ApiError(503, 'the database is unavailable; try again later (Retry-After)');

/** A route's query or body is validated: 400 naming each offending field. */
export const ApiValidationErrors = (description = 'names each invalid field') => ApiError(400, description);

/** Routes with a JSON body: 400 for malformed or too deeply nested JSON, 413 over the size limit. */
export const ApiBodyErrors = (description = 'names each invalid field; malformed JSON or JSON nested deeper than 32 levels') =>
  applyDecorators(ApiError(400, description), ApiError(413, 'request body is larger than the limit'));

/** 200 with an Atom 1.0 document (errors stay application/json). */
export const ApiAtomResponse = (description: string) =>
  ApiResponse({
    status: 200,
    description,
    content: { 'application/atom+xml': { schema: { type: 'string', description: 'an Atom 1.0 (RFC 4287) feed document' } } },
  });
