import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { modelKeyOf } from '@paperfeed/embeddings';
import { UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { IngestBatchEntity, PapersStore } from '@paperfeed/db';
import { WorkerMetrics } from '../worker-metrics';
import { HandlesJob, JobPayloads, QueueService } from '@paperfeed/queue';
import { queueEmbedding } from '../embedding-queue';
import { normalizePushedBatch } from './pushed-paper';

const ANALYZE_AFTER_CREATED = 500;

export interface IngestResult {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejections: { index: number; id?: string; reason: string }[];
}

@Injectable()
export class IngestProcessor {
  private readonly modelKey: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly papers: PapersStore,
    private readonly queues: QueueService,
    private readonly metrics: WorkerMetrics,
  ) {
    this.modelKey = modelKeyOf({ model: config.embeddingModel, dtype: config.embeddingDtype });
  }

  /**
   * Stores a pushed batch. The papers and the batch's result are written in one transaction: a
   * retry after a crash finds the result and only re-queues embedding (deduplicated by job id).
   */
  @HandlesJob('ingest.papers')
  async ingestPapers(data: JobPayloads['ingest.papers']): Promise<IngestResult> {
    const { result, paperIds, toEmbed } = await this.dataSource.transaction(async (manager) => {
      const batch = await manager.findOne(IngestBatchEntity, { where: { id: data.batchId }, lock: { mode: 'pessimistic_write' } });
      if (!batch) throw new UnrecoverableError(`ingest batch ${data.batchId} does not exist`);
      if (batch.result) return { result: batch.result as unknown as IngestResult, paperIds: batch.paperIds ?? [], toEmbed: null };
      const { papers, rejections, duplicates } = normalizePushedBatch(batch.papers);
      const outcome = await this.papers.upsert(papers, manager);
      const counts: IngestResult = {
        received: batch.papers.length,
        created: outcome.created,
        updated: outcome.updated,
        unchanged: outcome.unchanged + duplicates,
        rejected: rejections.length,
        rejections,
      };
      const ids = outcome.needsEmbedding.map((paper) => paper.id);
      // The staged papers are stored now; keep the counts and which papers need embedding.
      await manager.update(IngestBatchEntity, { id: batch.id }, { result: counts as never, papers: [], paperIds: ids });
      return { result: counts, paperIds: ids, toEmbed: outcome.needsEmbedding };
    });
    if (toEmbed) this.metrics.papersIngested(result.created + result.updated);
    // Outside the transaction: if queueing fails the job retries, finds the result, and queues again
    // (a retry reads the embedding keys back; the first run has them from the upsert).
    await queueEmbedding(this.queues, this.modelKey, toEmbed ?? (await this.papers.embeddingKeys(paperIds)));
    // A large batch changes the table enough to mislead the planner (see PapersStore.analyze).
    if (result.created >= ANALYZE_AFTER_CREATED) await this.papers.analyze();
    return result;
  }
}
