import { Injectable, Logger } from '@nestjs/common';
import { PapersStore } from '@paperfeed/db';
import { isUsableVector, paperEmbeddingText } from '@paperfeed/embeddings';
import { WorkerMetrics } from '../worker-metrics';
import { HandlesJob, JobPayloads, QueueService } from '@paperfeed/queue';
import { EmbeddingRuntime } from '../embedder.provider';
import { queueEmbedding } from '@paperfeed/ingest';

const RECONCILE_PAGE = 1000;

@Injectable()
export class EmbedProcessor {
  private readonly logger = new Logger(EmbedProcessor.name);

  constructor(
    private readonly papers: PapersStore,
    private readonly runtime: EmbeddingRuntime,
    private readonly queues: QueueService,
    private readonly metrics: WorkerMetrics,
  ) {}

  /** Embeds the papers that still lack a current vector; already-embedded ones are skipped. */
  @HandlesJob('embed.papers')
  async embedPapers(data: JobPayloads['embed.papers']) {
    const space = this.runtime.space;
    const todo = await this.papers.missingEmbeddings(space.id, { ids: data.paperIds, limit: data.paperIds.length });
    if (todo.length === 0) return { embedded: 0, degenerate: 0, skipped: data.paperIds.length };
    const started = performance.now();
    const vectors = await this.runtime.embedder.embed(todo.map(paperEmbeddingText));
    const usable = todo
      .map((paper, i) => ({ paperId: paper.id, textHash: paper.textHash, vector: vectors[i] }))
      .filter((item) => isUsableVector(item.vector));
    const degenerate = todo.length - usable.length;
    if (degenerate > 0) {
      const ids = todo.filter((_, i) => !isUsableVector(vectors[i])).map((paper) => paper.id);
      this.logger.warn(`model gave no usable vector (zero or non-finite) for ${ids.join(', ')}: not stored`);
    }
    const embedded = await this.papers.storeEmbeddings(space.id, usable);
    this.metrics.embeddingsComputed(embedded, (performance.now() - started) / 1000);
    return { embedded, degenerate, skipped: data.paperIds.length - todo.length };
  }

  /**
   * Queues embedding for every paper without a current vector in this model's space. Embed jobs
   * that failed for good (an outage outlasting their retries) are retried first: their ids would
   * otherwise keep the same work from being queued again. Papers without current term counts
   * (stored before the lexicon existed) get them here too.
   */
  @HandlesJob('embed.reconcile')
  async reconcile() {
    await this.papers.analyze();
    const indexed = await this.indexMissingTerms();
    const retried = await this.queues.retryFailed('embed');
    const space = this.runtime.space;
    let afterId: string | undefined;
    let papers = 0;
    let jobs = 0;
    for (;;) {
      const page = await this.papers.missingEmbeddings(space.id, { limit: RECONCILE_PAGE, afterId });
      if (page.length === 0) break;
      papers += page.length;
      afterId = page[page.length - 1].id;
      // Similar lengths in one job pad less (the page comes in id order, for paging).
      const byLength = [...page].sort((a, b) => a.title.length + a.abstract.length - (b.title.length + b.abstract.length));
      jobs += await queueEmbedding(this.queues, space.model, byLength);
    }
    if (papers > 0)
      this.logger.log(
        `reconcile: ${papers} papers lack a ${space.model} vector; ${jobs} embed jobs queued, ${retried} failed ones retried`,
      );
    if (indexed > 0) this.logger.log(`reconcile: term counts written for ${indexed} papers`);
    return { papers, jobs, retried, indexed };
  }

  /** Fills in missing or outdated paper_terms rows, a page per transaction. */
  private async indexMissingTerms(): Promise<number> {
    let indexed = 0;
    for (let afterId: string | undefined; ;) {
      const ids = await this.papers.missingTerms({ limit: RECONCILE_PAGE, afterId });
      if (ids.length === 0) return indexed;
      indexed += await this.papers.indexTerms(ids);
      afterId = ids[ids.length - 1];
    }
  }
}
