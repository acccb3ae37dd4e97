import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AppConfig, ConfigModule } from '@paperfeed/config';
import { DatabaseModule } from '@paperfeed/db';
import { QueueModule } from '@paperfeed/queue';
import { AdminGuard } from './common/admin.guard';
import { ErrorsFilter } from './common/errors.filter';
import { ADMIN_TOKEN } from './common/tokens';
import { CallerResolver } from './common/caller';
import { FeedTokens } from './common/feed-tokens';
import { CallerThrottlerGuard, RateLimitModule } from './common/throttling';
import { createValidationPipe } from './common/validation';
import { HealthController } from './health/health.controller';
import { IngestController } from './ingest/ingest.controller';
import { IngestService } from './ingest/ingest.service';
import { SourcesController } from './ingest/sources.controller';
import { HarvestService } from '@paperfeed/harvest';
import { AtomController } from './papers/atom.controller';
import { PapersController } from './papers/papers.controller';
import { UpvotesController } from './papers/upvotes.controller';
import { PapersService } from './papers/papers.service';
import { QueryEmbedder } from './search/query-embedder.service';
import { SearchController } from './search/search.controller';
import { SearchService } from './search/search.service';
import { UserGuard } from './common/user.guard';
import { UsersController } from './users/users.controller';
import { FeedService } from './feed/feed.service';
import { CorpusIndex, EvidenceReader, FeedRanker } from '@paperfeed/feed';
import { AdminController } from './admin/admin.controller';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { MetricsService } from './admin/metrics.service';
import { UsersFeedController } from './feed/users-feed.controller';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, adminToken: string): DynamicModule {
    return {
      module: ApiModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot({ poolSize: 10 }), QueueModule, RateLimitModule],
      controllers: [AtomController, PapersController, UpvotesController, SearchController, UsersController, UsersFeedController, IngestController, SourcesController, HealthController, AdminController, SubscriptionsController],
      providers: [
        { provide: ADMIN_TOKEN, useValue: adminToken },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ErrorsFilter },
        // Every route, before its own auth guard: counts the caller, refuses wrong tokens.
        { provide: APP_GUARD, useClass: CallerThrottlerGuard },
        CallerResolver,
        FeedTokens,
        AdminGuard,
        UserGuard,
        PapersService,
        IngestService,
        QueryEmbedder,
        SearchService,
        HarvestService,
        FeedService,
        FeedRanker,
        EvidenceReader,
        CorpusIndex,
        MetricsService,
      ],
    };
  }
}
