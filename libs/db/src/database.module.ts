import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { createDataSource } from './data-source';
import { EmbeddingSpacesStore } from './embedding-spaces.store';
import { EventsStore } from './events.store';
import { UserProfilesStore } from './user-profiles.store';
import { SubscriptionsStore } from './subscriptions.store';
import { HarvestsStore } from './harvests.store';
import { PapersStore } from './papers.store';
import { UpvotesStore } from './upvotes.store';
import { UsersStore } from './users.store';

/** Closes the pool last, after workers and queues (Nest calls shutdown hooks in reverse order). */
@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The TypeORM DataSource (connected at boot) and the stores built on it. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: { poolSize?: number } = {}): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          inject: [APP_CONFIG],
          useFactory: async (config: AppConfig) => {
            if (!config.databaseUrl) throw new Error('DatabaseModule needs config.databaseUrl (see withEmbeddedRuntime)');
            return createDataSource(config.databaseUrl, options).initialize();
          },
        },
        { provide: PapersStore, inject: [DataSource], useFactory: (ds: DataSource) => new PapersStore(ds) },
        { provide: EmbeddingSpacesStore, inject: [DataSource], useFactory: (ds: DataSource) => new EmbeddingSpacesStore(ds) },
        { provide: UsersStore, inject: [DataSource], useFactory: (ds: DataSource) => new UsersStore(ds) },
        {
          provide: UpvotesStore,
          inject: [DataSource, PapersStore],
          useFactory: (ds: DataSource, papers: PapersStore) => new UpvotesStore(ds, papers),
        },
        {
          provide: HarvestsStore,
          inject: [DataSource],
          useFactory: (ds: DataSource) => new HarvestsStore(ds),
        },
        { provide: EventsStore, inject: [DataSource], useFactory: (ds: DataSource) => new EventsStore(ds) },
        { provide: UserProfilesStore, inject: [DataSource], useFactory: (ds: DataSource) => new UserProfilesStore(ds) },
        { provide: SubscriptionsStore, inject: [DataSource], useFactory: (ds: DataSource) => new SubscriptionsStore(ds) },
        DataSourceCloser,
      ],
      exports: [
        DataSource,
        PapersStore,
        EmbeddingSpacesStore,
        UsersStore,
        UpvotesStore,
        HarvestsStore,
        EventsStore,
        UserProfilesStore,
        SubscriptionsStore,
      ],
    };
  }
}
