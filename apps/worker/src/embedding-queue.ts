import { createHash } from 'node:crypto';
import { EmbeddingKey } from '@paperfeed/db';
import { jobIds, QueueService } from '@paperfeed/queue';

/** Papers per embed job: large enough to batch well, small enough to retry cheaply. */
export const PAPERS_PER_EMBED_JOB = 32;

/**
 * Queues embed jobs for papers. The job id is a hash of the papers' ids, text hashes and text
 * versions: queueing the same work twice (a retried ingest, a reconciliation) adds nothing while
 * the first job is kept, and a text that comes back (A → B → A) is new work with a new id.
 */
export async function queueEmbedding(queues: QueueService, papers: EmbeddingKey[]): Promise<number> {
  const jobs = [];
  for (let start = 0; start < papers.length; start += PAPERS_PER_EMBED_JOB) {
    const chunk = papers.slice(start, start + PAPERS_PER_EMBED_JOB);
    jobs.push({ data: { paperIds: chunk.map((paper) => paper.id) }, jobId: embedJobId(chunk) });
  }
  await queues.enqueueMany('embed.papers', jobs);
  return jobs.length;
}

/** The id of the embed job for these papers (in this order). */
export function embedJobId(chunk: EmbeddingKey[]): string {
  const contentKey = createHash('sha1')
    .update(chunk.map((paper) => `${paper.id} ${paper.textHash} ${paper.textVersion}`).join('\n'))
    .digest('hex');
  return jobIds.embedPapers(contentKey);
}
