import { DynamicModule, Global, Module } from '@nestjs/common';
import { AdminGuard } from './admin.guard';
import { CallerResolver } from './caller';
import { FeedTokens } from './feed-tokens';
import { ADMIN_TOKEN } from './tokens';
import { UserGuard } from './user.guard';

/** What every domain shares: the admin token, who is calling, the auth guards, feed tokens. */
@Global()
@Module({})
export class CommonModule {
  static forRoot(adminToken: string): DynamicModule {
    const providers = [{ provide: ADMIN_TOKEN, useValue: adminToken }, CallerResolver, FeedTokens, AdminGuard, UserGuard];
    return { module: CommonModule, providers, exports: [ADMIN_TOKEN, CallerResolver, FeedTokens, AdminGuard, UserGuard] };
  }
}
