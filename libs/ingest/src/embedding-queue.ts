import { createHash } from 'node:crypto';
import { EmbeddingKey } from '@paperfeed/db';
import { jobIds, QueueService } from '@paperfeed/queue';

/** Papers per embed job: large enough to batch well, small enough to retry cheaply. */
export const PAPERS_PER_EMBED_JOB = 32;

/**
 * Queues embed jobs for papers, to be embedded by the model `modelKey` (EMBEDDING_MODEL@dtype).
 * The job id is a hash of the model and the papers' ids, text hashes and text versions: queueing
 * the same work twice (a retried ingest, a reconciliation) adds nothing while the first job is
 * kept; a text that comes back (A → B → A), or the same text for another model, is new work.
 */
export async function queueEmbedding(queues: QueueService, modelKey: string, papers: EmbeddingKey[]): Promise<number> {
  const jobs = [];
  for (let start = 0; start < papers.length; start += PAPERS_PER_EMBED_JOB) {
    const chunk = papers.slice(start, start + PAPERS_PER_EMBED_JOB);
    jobs.push({ data: { paperIds: chunk.map((paper) => paper.id) }, jobId: embedJobId(modelKey, chunk) });
  }
  await queues.enqueueMany('embed.papers', jobs);
  return jobs.length;
}

/** The id of the job embedding these papers (in this order) with the model `modelKey`. */
export function embedJobId(modelKey: string, chunk: EmbeddingKey[]): string {
  const contentKey = createHash('sha1')
    .update([modelKey, ...chunk.map((paper) => `${paper.id} ${paper.textHash} ${paper.textVersion}`)].join('\n'))
    .digest('hex');
  return jobIds.embedPapers(contentKey);
}
