import { Inject, Injectable } from '@nestjs/common';
import { Request } from 'express';
import { UsersStore } from '@paperfeed/db';
import { bearerToken, sameSecret } from './admin.guard';
import { ADMIN_TOKEN } from './tokens';

/**
 * Who is calling, decided from the bearer token: the admin, one user, nobody (no token), or
 * someone presenting a token that is neither (counted against its IP by the rate limit, then
 * refused with 401 on every route).
 */
export type Caller = { kind: 'admin' } | { kind: 'user'; userId: string } | { kind: 'anonymous' } | { kind: 'invalid' };

const CALLER = Symbol('caller');
type RequestWithCaller = Request & { [CALLER]?: Promise<Caller> };

/** Resolves a request's caller once (the rate limit guard and the auth guards share the answer). */
@Injectable()
export class CallerResolver {
  constructor(
    @Inject(ADMIN_TOKEN) private readonly adminToken: string,
    private readonly users: UsersStore,
  ) {}

  of(request: Request): Promise<Caller> {
    const r = request as RequestWithCaller;
    r[CALLER] ??= this.resolve(bearerToken(request));
    return r[CALLER];
  }

  private async resolve(token: string | undefined): Promise<Caller> {
    if (!token) return { kind: 'anonymous' };
    if (sameSecret(token, this.adminToken)) return { kind: 'admin' };
    const user = await this.users.findByToken(token);
    return user ? { kind: 'user', userId: user.id } : { kind: 'invalid' };
  }
}
