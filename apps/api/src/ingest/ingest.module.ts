import { Module } from '@nestjs/common';
import { HarvestService } from '@paperfeed/harvest';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { SourcesController } from './sources.controller';
import { SourcesService } from './sources.service';

/** Ingestion: pushed batches, harvests from sources, schedules, job status. */
@Module({
  controllers: [IngestController, SourcesController],
  providers: [IngestService, SourcesService, HarvestService],
})
export class IngestModule {}
