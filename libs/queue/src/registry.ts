import { JobsOptions } from 'bullmq';

/**
 * Every queue and job paperfeed runs, with each job's payload type. Payloads carry ids, never
 * whole papers: state lives in Postgres.
 */
export const QUEUES = ['ingest', 'embed', 'arxiv', 'digest', 'profile'] as const;
export type QueueName = (typeof QUEUES)[number];

export interface JobPayloads {
  /** Mail a new subscription its confirmation link. */
  'digest.confirm': { subscriptionId: string };
  /**
   * Fold a user's accepted events or changed interests: refresh the trending scores of the papers
   * they touched, retrain the user's feed model and shortlist through event `throughEventId`.
   */
  'profile.fold': { userId: string; throughEventId: string; paperIds: string[] };
  /** Queue one digest.send per active subscription of a cadence, for one period. */
  'digest.run': { cadence: 'daily' | 'weekly'; period?: string };
  /** Build and send one subscription's digest for a period (at most once). */
  'digest.send': { subscriptionId: string; period: string };
  /**
   * Create a harvest for this source request and queue its first page (used by schedules). The
   * request's shape belongs to libs/sources, which checks it in the handler: the registry depends
   * on no source types.
   */
  'harvest.start': { request: { source: string } & Record<string, unknown> };
  /** Fetch, parse and store the next page of a harvest from a source other than arXiv. */
  'harvest.page': { harvestId: string };
  /** The same for arXiv (API or OAI-PMH), on the queue whose limiter spaces requests as arXiv asks. */
  'harvest.arxiv-page': { harvestId: string };
  /** Store a pushed batch (staged in ingest_batches) and queue embedding for what changed. */
  'ingest.papers': { batchId: string };
  /** Embed these papers with the configured model, skipping any already current. */
  'embed.papers': { paperIds: string[] };
  /** Queue embedding for every paper that lacks a current vector (after a crash or model switch); refresh planner statistics. */
  'embed.reconcile': Record<string, never>;
}
export type JobName = keyof JobPayloads;

interface JobDefinition {
  queue: QueueName;
  options: JobsOptions;
}

/**
 * Exponential backoff with jitter (so retries of many jobs do not arrive together), for long
 * enough that a job failing through a database or Redis outage of several minutes is retried
 * after it, not dead-lettered: delays of 1, 2, 4 … 256 s (each cut by up to half), ~4–8 minutes
 * in all. Bad input fails at once (UnrecoverableError).
 */
const RETRY: JobsOptions = { attempts: 10, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } };

export const JOBS: { readonly [N in JobName]: JobDefinition } = {
  'digest.confirm': { queue: 'digest', options: RETRY },
  'digest.run': { queue: 'digest', options: RETRY },
  'digest.send': { queue: 'digest', options: RETRY },
  'harvest.start': { queue: 'ingest', options: RETRY },
  'harvest.page': { queue: 'ingest', options: RETRY },
  'harvest.arxiv-page': { queue: 'arxiv', options: RETRY },
  'ingest.papers': { queue: 'ingest', options: RETRY },
  'profile.fold': { queue: 'profile', options: RETRY },
  'embed.papers': { queue: 'embed', options: RETRY },
  'embed.reconcile': { queue: 'embed', options: RETRY },
};

export const JOB_NAMES = Object.keys(JOBS) as JobName[];

/** What the queue settings read from the validated configuration. */
export interface QueueTuning {
  workerConcurrency: number;
  arxivMinIntervalMs: number;
}

/**
 * How workers run each queue: jobs in flight per worker process, and for a source with terms of
 * use a limiter and a concurrency that hold across all workers (BullMQ keeps both in Redis).
 */
export interface QueueSettings {
  concurrency(tuning: QueueTuning): number;
  /** At most `max` job starts per `duration` ms, across every worker. */
  limiter?(tuning: QueueTuning): { max: number; duration: number };
  /** Jobs in flight across every worker. */
  globalConcurrency?: number;
}

export const QUEUE_SETTINGS: { readonly [Q in QueueName]: QueueSettings } = {
  ingest: { concurrency: (t) => t.workerConcurrency },
  // CPU-bound: two in flight overlap one batch's database I/O with the next one's inference.
  embed: { concurrency: () => 2 },
  // arXiv asks for one request every 3 s on one connection.
  arxiv: { concurrency: () => 1, globalConcurrency: 1, limiter: (t) => ({ max: 1, duration: t.arxivMinIntervalMs }) },
  digest: { concurrency: (t) => t.workerConcurrency },
  profile: { concurrency: (t) => t.workerConcurrency },
};

/**
 * Thrown by a handler when the resource it needs said "not now" (HTTP 429/503 with Retry-After):
 * the runner pauses the job's whole queue for that long, on every worker, and retries the job
 * then without spending one of its attempts.
 */
export class RateLimitedError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

/** How long finished jobs stay visible (GET /v1/jobs/:id, Bull Board). The failed set is the dead-letter queue. */
export const RETENTION: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600, count: 50_000 },
};

/** Job names the given queues carry. */
export function jobsOfQueues(queues: readonly QueueName[]): JobName[] {
  return JOB_NAMES.filter((name) => queues.includes(JOBS[name].queue));
}

/** Parses WORKER_QUEUES (undefined: all queues); throws naming an unknown queue. */
export function parseQueueNames(names: string[] | undefined): QueueName[] {
  if (!names) return [...QUEUES];
  for (const name of names) {
    if (!(QUEUES as readonly string[]).includes(name)) {
      throw new Error(`unknown queue "${name}" (queues: ${QUEUES.join(', ')})`);
    }
  }
  return names as QueueName[];
}

/**
 * Job ids that deduplicate: the same id is not queued twice while the first job is kept.
 * BullMQ forbids ':' in custom ids.
 */
export const jobIds = {
  /** One digest per subscription and period, however often the run is repeated. */
  digestSend: (subscriptionId: string, period: string) => `digest-${subscriptionId}-${period}`,
  /** Page n of a harvest: a page is queued once, however often its predecessor is retried. */
  harvestPage: (harvestId: string, page: number) => `harvest-${harvestId}-${page}`,
  ingestPapers: (batchId: string) => `ingest-papers-${batchId}`,
  /** One fold per change to a user's events or interests (`change` names it). */
  profileFold: (userId: string, change: string) => `profile-fold-${userId}-${change}`,
  /** Same papers with the same texts: same id. */
  embedPapers: (contentKey: string) => `embed-papers-${contentKey}`,
  /** One reconciliation per embedding space and time slot (workers starting together share it). */
  embedReconcile: (spaceId: number, slot: string) => `embed-reconcile-${spaceId}-${slot}`,
};
