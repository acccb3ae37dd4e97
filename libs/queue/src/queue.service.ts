import { Job, Queue } from 'bullmq';
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

/** A queue as operators see it (GET /v1/admin/queues). */
export interface QueueOverview {
  name: QueueName;
  paused: boolean;
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number };
}

const OVERVIEW_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/** How long a producer waits for Redis before it gives up (BullMQ waits for a connection forever). */
const REDIS_TIMEOUT_MS = 3000;

/** Runs a Redis operation, turning a failure or a hang into QueueUnavailableError. */
async function redisCall<T>(what: string, operation: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([operation(), timeout]);
  } catch (error) {
    throw new QueueUnavailableError(`${what}: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The producer side of the registry: the only way code puts a job on a queue. */
export class QueueService {
  private readonly queues: Map<QueueName, Queue>;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
  ) {
    const connection = redisOptions(redisUrl, 'producer');
    this.queues = new Map(QUEUES.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions: RETENTION })]));
    // ioredis emits connection errors as events; the failing call itself reports them.
    for (const queue of this.queues.values()) queue.on('error', () => undefined);
  }

  queue(name: QueueName): Queue {
    return this.queues.get(name) as Queue;
  }

  async enqueue<N extends JobName>(name: N, data: JobPayloads[N], options: { jobId?: string } = {}): Promise<string> {
    const definition = JOBS[name];
    const job = await redisCall(`could not queue ${name}`, () =>
      this.queue(definition.queue).add(name, data, { ...definition.options, ...options }),
    );
    return job.id as string;
  }

  /** Adds many jobs of one name in one round trip. */
  async enqueueMany<N extends JobName>(name: N, jobs: { data: JobPayloads[N]; jobId?: string }[]): Promise<void> {
    if (jobs.length === 0) return;
    const definition = JOBS[name];
    await redisCall(`could not queue ${name}`, () =>
      this.queue(definition.queue).addBulk(
        jobs.map((job) => ({ name, data: job.data, opts: { ...definition.options, ...RETENTION, jobId: job.jobId } })),
      ),
    );
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

  /** A repeating job on a fixed interval or a cron pattern (UTC); idempotent by scheduler id. */
  async scheduleRepeat<N extends JobName>(
    schedulerId: string,
    name: N,
    data: JobPayloads[N],
    repeat: { every: number } | { pattern: string },
  ): Promise<void> {
    const definition = JOBS[name];
    await redisCall(`could not schedule ${name}`, () =>
      this.queue(definition.queue).upsertJobScheduler(schedulerId, 'pattern' in repeat ? { pattern: repeat.pattern, tz: 'UTC' } : repeat, {
        name,
        data,
        opts: { ...definition.options, ...RETENTION },
      }),
    );
  }

  /** The schedulers of a job's queue that run that job. */
  async schedulers(name: JobName): Promise<{ id: string; every?: number; pattern?: string; next?: number; data: unknown }[]> {
    const queue = this.queue(JOBS[name].queue);
    const schedulers = await redisCall('could not list schedules', () => queue.getJobSchedulers(0, -1, true));
    return schedulers
      .filter((s) => s.name === name)
      .map((s) => ({
        id: s.key,
        every: s.every ? Number(s.every) : undefined,
        pattern: s.pattern ?? undefined,
        next: s.next,
        data: s.template?.data,
      }));
  }

  /** Removes a scheduler; false when there was none. */
  async unschedule(name: JobName, schedulerId: string): Promise<boolean> {
    return redisCall('could not delete the schedule', () => this.queue(JOBS[name].queue).removeJobScheduler(schedulerId));
  }

  /** Finds a job in whichever queue holds it. */
  status(jobId: string): Promise<JobStatus | null> {
    return redisCall(`could not read job ${jobId}`, async () => {
      for (const [queueName, queue] of this.queues) {
        // State first: once it says completed, the return value is stored (BullMQ sets both at once).
        const state = await queue.getJobState(jobId);
        if (state === 'unknown') continue;
        const job: Job | undefined = await queue.getJob(jobId);
        if (!job) continue;
        return {
          id: jobId,
          queue: queueName,
          name: job.name,
          state: state === 'waiting-children' || state === 'prioritized' ? 'waiting' : state,
          progress: job.progress,
          ...(state === 'completed' ? { result: job.returnvalue } : {}),
          ...(state === 'failed' ? { failedReason: job.failedReason } : {}),
        };
      }
      return null;
    });
  }

  /**
   * Reserves the next request slot of a rate-limited resource shared by all workers, at least
   * `intervalMs` after the previous one, and returns how long to wait for it. BullMQ's limiter
   * spaces job *starts*; this spaces the requests themselves, whatever a job does before its request.
   */
  async reserveSlot(resource: string, intervalMs: number): Promise<number> {
    const wait = await redisCall('could not reserve a request slot', async () =>
      (await this.redis()).eval(
        `local t = redis.call('TIME')
         local now = t[1] * 1000 + math.floor(t[2] / 1000)
         local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
         redis.call('SET', KEYS[1], slot + ARGV[1], 'PX', ARGV[1] * 2 + 60000)
         return slot - now`,
        1,
        `${this.prefix}:slot:${resource}`,
        intervalMs,
      ),
    );
    return Number(wait);
  }

  /** Adds to shared counters (metrics every process contributes to and the api reports). */
  async incrementStats(increments: Record<string, number>): Promise<void> {
    await redisCall('could not record statistics', async () => {
      const pipeline = (await this.redis()).pipeline();
      for (const [field, by] of Object.entries(increments)) pipeline.hincrbyfloat(`${this.prefix}:stats`, field, by);
      return pipeline.exec();
    });
  }

  async readStats(): Promise<Record<string, number>> {
    const raw = await redisCall('could not read statistics', async () => (await this.redis()).hgetall(`${this.prefix}:stats`));
    return Object.fromEntries(Object.entries(raw).map(([field, value]) => [field, Number(value)]));
  }

  /**
   * Records that a request to the resource has just finished: the next slot is at least
   * `intervalMs` after this moment, even if this request ran late (slots are planned, requests lag).
   */
  async markRequest(resource: string, intervalMs: number): Promise<void> {
    await redisCall('could not record a request', async () =>
      (await this.redis()).eval(
        `local t = redis.call('TIME')
         local next = t[1] * 1000 + math.floor(t[2] / 1000) + ARGV[1]
         local current = tonumber(redis.call('GET', KEYS[1]) or '0')
         if next > current then redis.call('SET', KEYS[1], next, 'PX', ARGV[1] * 2 + 60000) end
         return 1`,
        1,
        `${this.prefix}:slot:${resource}`,
        intervalMs,
      ),
    );
  }

  /** Whether a queue is paused, and its jobs by state. */
  overview(name: QueueName): Promise<QueueOverview> {
    return redisCall(`could not read queue ${name}`, async () => {
      const queue = this.queue(name);
      const [paused, counts] = await Promise.all([queue.isPaused(), queue.getJobCounts(...OVERVIEW_STATES)]);
      return {
        name,
        paused,
        counts: {
          waiting: counts.waiting ?? 0,
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          completed: counts.completed ?? 0,
          failed: counts.failed ?? 0,
        },
      };
    });
  }

  /** Pauses (workers finish active jobs, take no new ones) or resumes a queue. */
  setPaused(name: QueueName, paused: boolean): Promise<void> {
    return redisCall(`could not ${paused ? 'pause' : 'resume'} queue ${name}`, () =>
      paused ? this.queue(name).pause() : this.queue(name).resume(),
    );
  }

  /** Moves a queue's failed jobs (its dead letters) back to waiting; returns how many there were. */
  retryFailed(name: QueueName): Promise<number> {
    return redisCall(`could not retry the failed jobs of ${name}`, async () => {
      const failed = (await this.queue(name).getJobCounts('failed')).failed ?? 0;
      await this.queue(name).retryJobs({ state: 'failed' });
      return failed;
    });
  }

  /** The producer's Redis connection (awaiting it waits for Redis: call it inside redisCall). */
  private async redis(): Promise<Redis> {
    return (await this.queue('ingest').client) as unknown as Redis;
  }

  /** Round trip to Redis (readiness checks). */
  async ping(): Promise<void> {
    await redisCall('Redis', async () => (await this.redis()).ping());
  }

  /** Closes the queues; with Redis unreachable (a close would wait for it forever) they are disconnected after a moment. */
  async close(): Promise<void> {
    const closed = Promise.all([...this.queues.values()].map((queue) => queue.close()));
    const timedOut = await Promise.race([
      closed.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), REDIS_TIMEOUT_MS).unref()),
    ]);
    if (timedOut) await Promise.all([...this.queues.values()].map((queue) => queue.disconnect().catch(() => undefined)));
  }
}
