import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { IngestBatchEntity, PapersStore } from '@paperfeed/db';
import { normalizePushedPaper, PaperIngest, Rejection } from '@paperfeed/ingest';
import { WorkerMetrics } from '../worker-metrics';
import { HandlesJob, JobPayloads } from '@paperfeed/queue';

const ANALYZE_AFTER_CREATED = 500;

export interface IngestResult {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejections: Rejection[];
}

@Injectable()
export class IngestProcessor {
  constructor(
    private readonly dataSource: DataSource,
    private readonly papers: PapersStore,
    private readonly ingest: PaperIngest,
    private readonly metrics: WorkerMetrics,
  ) {}

  /**
   * Stores a pushed batch through the one ingestion path (libs/ingest). The papers and the
   * batch's result are written in one transaction: a retry after a crash finds the result and
   * only re-queues embedding (deduplicated by job id).
   */
  @HandlesJob('ingest.papers')
  async ingestPapers(data: JobPayloads['ingest.papers']): Promise<IngestResult> {
    const { result, paperIds, toEmbed } = await this.dataSource.transaction(async (manager) => {
      const batch = await manager.findOne(IngestBatchEntity, { where: { id: data.batchId }, lock: { mode: 'pessimistic_write' } });
      if (!batch) throw new UnrecoverableError(`ingest batch ${data.batchId} does not exist`);
      if (batch.result) return { result: batch.result as unknown as IngestResult, paperIds: batch.paperIds ?? [], toEmbed: null };
      // The staged papers' shape is checked here (it was staged as JSON); the rest by the path.
      const records = batch.papers.map((raw: unknown) => {
        const paper = normalizePushedPaper(raw);
        if (typeof paper !== 'string') return paper;
        const id = (raw as { id?: unknown } | null)?.id;
        return { ok: false as const, ...(typeof id === 'string' ? { id } : {}), reason: paper };
      });
      const outcome = await this.ingest.store(records, manager);
      const counts: IngestResult = { ...outcome.counts, rejections: outcome.rejections };
      const ids = outcome.needsEmbedding.map((paper) => paper.id);
      // The staged papers are stored now; keep the counts and which papers need embedding.
      await manager.update(IngestBatchEntity, { id: batch.id }, { result: counts as never, papers: [], paperIds: ids });
      return { result: counts, paperIds: ids, toEmbed: outcome.needsEmbedding };
    });
    if (toEmbed) this.metrics.papersIngested(result.created + result.updated);
    // Outside the transaction: if queueing fails the job retries, finds the result, and queues again
    // (a retry reads the embedding keys back; the first run has them from the upsert).
    await this.ingest.queueEmbedding(toEmbed ?? (await this.papers.embeddingKeys(paperIds)));
    // A large batch changes the table enough to mislead the planner (see PapersStore.analyze).
    if (result.created >= ANALYZE_AFTER_CREATED) await this.papers.analyze();
    return result;
  }
}
