import { Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IngestBatchEntity } from '@paperfeed/db';
import { HarvestService } from '@paperfeed/harvest';
import { jobIds, JobStatus, QueueService } from '@paperfeed/queue';
import { PushedPaperDto } from './ingest-papers.dto';
import { JobStatusDto } from './ingest.dto';

@Injectable()
export class IngestService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueueService,
    private readonly harvests: HarvestService,
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

  /** A job's state; a harvest spans several queue jobs (one per page) and its id reports on all of them. */
  async jobStatus(jobId: string): Promise<JobStatusDto> {
    const status: JobStatus | null = (await this.harvests.status(jobId)) ?? (await this.queues.status(jobId));
    if (!status) throw new NotFoundException(`job ${jobId} not found`);
    const { name: _name, ...body } = status;
    return body;
  }
}
