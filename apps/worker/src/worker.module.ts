import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig, ConfigModule } from '@paperfeed/config';
import { DatabaseModule } from '@paperfeed/db';
import { IngestModule } from '@paperfeed/ingest';
import { QueueModule } from '@paperfeed/queue';
import { EmbeddingRuntime } from './embedder.provider';
import { JobRunner } from './job-runner.service';
import { WorkerHttp } from './worker-http';
import { WorkerMetrics } from './worker-metrics';
import { EmbedProcessor } from './processors/embed.processor';
import { HarvestProcessor } from './processors/harvest.processor';
import { IngestProcessor } from './processors/ingest.processor';
import { HarvestService } from '@paperfeed/harvest';
import { CorpusIndex, EvidenceReader, FeedRanker } from '@paperfeed/feed';
import { Mailer } from '@paperfeed/mail';
import { DigestProcessor } from './processors/digest.processor';
import { ProfileProcessor } from './processors/profile.processor';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot({ poolSize: 5 }), QueueModule, IngestModule, DiscoveryModule],
      providers: [
        EmbeddingRuntime,
        JobRunner,
        WorkerMetrics,
        WorkerHttp,
        IngestProcessor,
        EmbedProcessor,
        HarvestProcessor,
        HarvestService,
        DigestProcessor,
        ProfileProcessor,
        EvidenceReader,
        CorpusIndex,
        FeedRanker,
        Mailer,
      ],
    };
  }
}
