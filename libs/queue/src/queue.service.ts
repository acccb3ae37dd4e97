import { Job, JobState, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS, JobName, JobPayloads, QUEUES, QueueName, RETENTION } from './registry';
import { redisOptions } from './connection';

/** Thrown when Redis does not take a job; the api answers 503. */
export class QueueUnavailableError extends Error {}

export interface JobStatus {
  id: string;
  queue: QueueName;
  name: string;
  state: 'waiting' | 'active' | 'delayed' | 'completed' | 'failed';
  progress: unknown;
  result?: unknown;
  failedReason?: string;
}

/** The producer side of the registry: the only way code puts a job on a queue. */
export class QueueService {
  private readonly queues: Map<QueueName, Queue>;

  constructor(redisUrl: string, prefix: string) {
    const connection = redisOptions(redisUrl, 'producer');
    this.queues = new Map(
      QUEUES.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions: RETENTION })]),
    );
    // ioredis emits connection errors as events; the failing call itself reports them.
    for (const queue of this.queues.values()) queue.on('error', () => undefined);
  }

  queue(name: QueueName): Queue {
    return this.queues.get(name) as Queue;
  }

  async enqueue<N extends JobName>(name: N, data: JobPayloads[N], options: { jobId?: string } = {}): Promise<string> {
    const definition = JOBS[name];
    try {
      const job = await this.queue(definition.queue).add(name, data, { ...definition.options, ...options });
      return job.id as string;
    } catch (error) {
      throw new QueueUnavailableError(`could not queue ${name}: ${(error as Error).message}`);
    }
  }

  /** Adds many jobs of one name in one round trip. */
  async enqueueMany<N extends JobName>(name: N, jobs: { data: JobPayloads[N]; jobId?: string }[]): Promise<void> {
    if (jobs.length === 0) return;
    const definition = JOBS[name];
    try {
      await this.queue(definition.queue).addBulk(
        jobs.map((job) => ({ name, data: job.data, opts: { ...definition.options, ...RETENTION, jobId: job.jobId } })),
      );
    } catch (error) {
      throw new QueueUnavailableError(`could not queue ${name}: ${(error as Error).message}`);
    }
  }

  /** Creates or updates a repeating job (idempotent: the scheduler id names it). */
  async schedule<N extends JobName>(schedulerId: string, name: N, data: JobPayloads[N], everyMs: number): Promise<void> {
    const definition = JOBS[name];
    await this.queue(definition.queue).upsertJobScheduler(
      schedulerId,
      { every: everyMs },
      { name, data, opts: { ...definition.options, ...RETENTION } },
    );
  }

  /** Finds a job in whichever queue holds it. */
  async status(jobId: string): Promise<JobStatus | null> {
    try {
      for (const [queueName, queue] of this.queues) {
        const job: Job | undefined = await queue.getJob(jobId);
        if (!job) continue;
        const state: JobState | 'unknown' = await job.getState();
        return {
          id: jobId,
          queue: queueName,
          name: job.name,
          state: state === 'waiting-children' || state === 'prioritized' || state === 'unknown' ? 'waiting' : state,
          progress: job.progress,
          ...(state === 'completed' ? { result: job.returnvalue } : {}),
          ...(state === 'failed' ? { failedReason: job.failedReason } : {}),
        };
      }
      return null;
    } catch (error) {
      throw new QueueUnavailableError(`could not read job ${jobId}: ${(error as Error).message}`);
    }
  }

  /** Round trip to Redis (readiness checks). */
  async ping(): Promise<void> {
    const client = (await this.queue('ingest').client) as unknown as Redis;
    await client.ping();
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
