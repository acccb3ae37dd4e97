import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Request } from 'express';
import { ApiError } from './api-docs';
import { CallerResolver } from './caller';

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function bearerToken(request: Request): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** The secret a request presents: a bearer token, or the password of HTTP basic authentication. */
export function presentedSecret(request: Request): string | undefined {
  const basic = /^Basic\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  return bearerToken(request) ?? (basic ? Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':') : undefined);
}

/** Operator routes: the admin token only; a user's token is known but not allowed (403). */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly callers: CallerResolver) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const caller = await this.callers.of(context.switchToHttp().getRequest<Request>());
    if (caller.kind === 'admin') return true;
    if (caller.kind === 'user') throw new ForbiddenException('this route needs the admin token');
    throw new UnauthorizedException('a valid admin bearer token is required');
  }
}

/** Route needs `Authorization: Bearer <ADMIN_TOKEN>`. */
export const AdminOnly = () =>
  applyDecorators(
    UseGuards(AdminGuard),
    ApiBearerAuth(),
    ApiError(401, 'missing or wrong token: this route needs the admin token'),
    ApiError(403, "a user's token: this route needs the admin token"),
  );
