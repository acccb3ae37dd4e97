import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { Request } from 'express';
import { ApiError } from './api-docs';
import { CallerResolver } from './caller';

/** Who is calling a user route: the admin, or one user. */
export type Principal = { kind: 'admin' } | { kind: 'user'; userId: string };

type RequestWithPrincipal = Request & { principal?: Principal };

/** Accepts the admin token or any user's token, and records who it is. */
@Injectable()
export class UserGuard implements CanActivate {
  constructor(private readonly callers: CallerResolver) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const caller = await this.callers.of(request);
    if (caller.kind === 'anonymous') throw new UnauthorizedException('a bearer token is required');
    if (caller.kind === 'invalid') throw new UnauthorizedException('the bearer token is not valid');
    request.principal = caller;
    return true;
  }
}

/** Route needs a user token (or the admin token); the handler receives the Principal. */
export const UserAuth = () =>
  applyDecorators(UseGuards(UserGuard), ApiBearerAuth(), ApiError(401, 'missing or wrong token'), ApiError(403, "another user's resource"));

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest<RequestWithPrincipal>().principal!,
);
