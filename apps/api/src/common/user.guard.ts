import { applyDecorators, CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable, UnauthorizedException, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Request } from 'express';
import { UsersStore } from '@paperfeed/db';
import { bearerToken, sameSecret } from './admin.guard';
import { ADMIN_TOKEN } from './tokens';

/** Who is calling: the admin, or one user. */
export type Principal = { kind: 'admin' } | { kind: 'user'; userId: string };

type RequestWithPrincipal = Request & { principal?: Principal };

/** Accepts the admin token or any user's token, and records who it is. */
@Injectable()
export class UserGuard implements CanActivate {
  constructor(
    @Inject(ADMIN_TOKEN) private readonly adminToken: string,
    private readonly users: UsersStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const token = bearerToken(request);
    if (!token) throw new UnauthorizedException('a bearer token is required');
    if (sameSecret(token, this.adminToken)) {
      request.principal = { kind: 'admin' };
      return true;
    }
    const user = await this.users.findByToken(token);
    if (!user) throw new UnauthorizedException('the bearer token is not valid');
    request.principal = { kind: 'user', userId: user.id };
    return true;
  }
}

/** Route needs a user token (or the admin token); the handler receives the Principal. */
export const UserAuth = () =>
  applyDecorators(
    UseGuards(UserGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'missing or wrong token' }),
    ApiForbiddenResponse({ description: "another user's resource" }),
  );

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest<RequestWithPrincipal>().principal!,
);
