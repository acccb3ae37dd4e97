import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { PapersStore } from '@paperfeed/db';
import { modelKeyOf } from '@paperfeed/embeddings';
import { QueueService } from '@paperfeed/queue';
import { PaperIngest } from './paper-ingest';

/** Provides PaperIngest (needs the global ConfigModule, DatabaseModule and QueueModule). */
@Module({
  providers: [
    {
      provide: PaperIngest,
      inject: [APP_CONFIG, PapersStore, QueueService],
      useFactory: (config: AppConfig, papers: PapersStore, queues: QueueService) =>
        new PaperIngest(papers, queues, modelKeyOf({ model: config.embeddingModel, dtype: config.embeddingDtype })),
    },
  ],
  exports: [PaperIngest],
})
export class IngestModule {}
