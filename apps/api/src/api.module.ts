import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AppConfig, ConfigModule } from '@paperfeed/config';
import { DatabaseModule } from '@paperfeed/db';
import { QueueModule } from '@paperfeed/queue';
import { AdminModule } from './admin/admin.module';
import { CommonModule } from './common/common.module';
import { ErrorsFilter } from './common/errors.filter';
import { CallerThrottlerGuard, RateLimitModule } from './common/throttling';
import { createValidationPipe } from './common/validation';
import { FeedModule } from './feed/feed.module';
import { HealthModule } from './health/health.module';
import { IngestModule } from './ingest/ingest.module';
import { PapersModule } from './papers/papers.module';
import { SearchModule } from './search/search.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { UsersModule } from './users/users.module';

/**
 * The api: one module per domain (controller → service → store), on the global configuration,
 * database, queues, rate limits and shared auth providers (CommonModule).
 */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, adminToken: string): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({ poolSize: 10 }),
        QueueModule,
        CommonModule.forRoot(adminToken),
        RateLimitModule,
        PapersModule,
        SearchModule,
        UsersModule,
        FeedModule,
        IngestModule,
        SubscriptionsModule,
        AdminModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ErrorsFilter },
        // Every route, before its own auth guard: counts the caller, refuses wrong tokens.
        { provide: APP_GUARD, useClass: CallerThrottlerGuard },
      ],
    };
  }
}
