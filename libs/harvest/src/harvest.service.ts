import { Injectable } from '@nestjs/common';
import { HarvestsStore } from '@paperfeed/db';
import { jobIds, JobStatus, QueueService } from '@paperfeed/queue';
import { isArxivSource, SourceRequest } from '@paperfeed/sources';

/** Harvest ids are exposed as job ids, so GET /v1/jobs/:jobId follows a whole multi-page harvest. */
const HARVEST_JOB_ID = /^harvest-([0-9a-f-]{36})$/;

export function harvestJobId(harvestId: string): string {
  return `harvest-${harvestId}`;
}

/** Starts source harvests and reports on them; the worker's harvest processor runs the pages. */
@Injectable()
export class HarvestService {
  constructor(
    private readonly harvests: HarvestsStore,
    private readonly queues: QueueService,
  ) {}

  /** Records the harvest and queues its first page; if Redis refuses, nothing is left behind. */
  async start(request: SourceRequest): Promise<string> {
    const id = await this.harvests.create(request);
    try {
      await this.queuePage(request, id, 0);
    } catch (error) {
      await this.harvests.delete(id);
      throw error;
    }
    return harvestJobId(id);
  }

  queuePage(request: SourceRequest, harvestId: string, page: number): Promise<string> {
    const jobId = jobIds.harvestPage(harvestId, page);
    return isArxivSource(request)
      ? this.queues.enqueue('harvest.arxiv-page', { harvestId }, { jobId })
      : this.queues.enqueue('harvest.page', { harvestId }, { jobId });
  }

  /** The harvest behind a `harvest-…` job id, as a job status; null for other ids. */
  async status(jobId: string): Promise<JobStatus | null> {
    const match = HARVEST_JOB_ID.exec(jobId);
    if (!match) return null;
    const harvest = await this.harvests.get(match[1]);
    if (!harvest) return null;
    return {
      id: jobId,
      queue: isArxivSource(harvest.request) ? 'arxiv' : 'ingest',
      name: `harvest ${harvest.request.source}`,
      state: harvest.state,
      progress: { pages: harvest.pages, received: harvest.counts.received, expected: harvest.expected, cursor: harvest.cursor },
      ...(harvest.state === 'completed' ? { result: { ...harvest.counts, rejections: harvest.rejections } } : {}),
      ...(harvest.state === 'failed' ? { failedReason: harvest.failedReason ?? 'failed' } : {}),
    };
  }
}
