import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IngestBatchEntity } from '@paperfeed/db';
import { jobIds, QueueService } from '@paperfeed/queue';
import { PushedPaperDto } from './ingest-papers.dto';

@Injectable()
export class IngestService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueueService,
  ) {}

  /**
   * Stages the batch in Postgres and queues its job. If Redis refuses the job, the staged batch
   * is removed again, so a 503 leaves nothing behind.
   */
  async pushPapers(papers: PushedPaperDto[]): Promise<string> {
    const batchId = randomUUID();
    const batches = this.dataSource.getRepository(IngestBatchEntity);
    await batches.insert({ id: batchId, papers });
    try {
      return await this.queues.enqueue('ingest.papers', { batchId }, { jobId: jobIds.ingestPapers(batchId) });
    } catch (error) {
      await batches.delete({ id: batchId });
      throw error;
    }
  }
}
