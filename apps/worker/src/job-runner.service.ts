import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { DelayedError, Job, Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { assertSchemaCurrent } from '@paperfeed/db';
import {
  handlerProblems,
  JOB_HANDLER,
  JobName,
  jobIds,
  jobsOfQueues,
  parseQueueNames,
  QueueName,
  QUEUE_SETTINGS,
  QueueService,
  RateLimitedError,
  redisOptions,
} from '@paperfeed/queue';
import { withLogFields } from '@paperfeed/observability';
import { WorkerMetrics } from './worker-metrics';
import { EmbeddingRuntime } from './embedder.provider';

type Handler = (data: unknown, job: Job) => Promise<unknown>;

/**
 * Binds every @HandlesJob method to its job name, refuses to start unless each consumed job has
 * exactly one handler, and runs one BullMQ Worker per consumed queue (WORKER_QUEUES).
 * Workers are created only after the database, Redis and (for the embed queue) the model are ready.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private readonly workers: Worker[] = [];
  private readonly handlers = new Map<JobName, Handler>();
  readonly queues: QueueName[];
  /** For /health/ready: workers exist and are not closing. */
  takingJobs = false;
  modelLoaded = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly runtime: EmbeddingRuntime,
    private readonly producer: QueueService,
    private readonly dataSource: DataSource,
    private readonly metrics: WorkerMetrics,
  ) {
    this.queues = parseQueueNames(config.workerQueues);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.bindHandlers();
    await assertSchemaCurrent(this.dataSource);
    if (this.queues.includes('embed')) {
      await this.runtime.start();
      this.modelLoaded = true;
      this.logger.log(`model ${this.runtime.space.model} loaded (${this.runtime.space.dimensions} dimensions)`);
    }
    const connection = redisOptions(this.config.redisUrl, 'worker');
    for (const queue of this.queues) {
      const settings = QUEUE_SETTINGS[queue];
      if (settings.globalConcurrency) await this.producer.queue(queue).setGlobalConcurrency(settings.globalConcurrency);
      const worker: Worker = new Worker(queue, (job, token) => this.run(job, worker, token), {
        connection,
        prefix: this.config.queuePrefix,
        concurrency: settings.concurrency(this.config),
        // A worker that dies (kill -9) stops renewing its locks; its jobs are taken over after this.
        lockDuration: this.config.jobLockMs,
        stalledInterval: this.config.jobLockMs,
        ...(settings.limiter ? { limiter: settings.limiter(this.config) } : {}),
      });
      worker.on('failed', (job, error) =>
        withLogFields({ jobId: job?.id ?? '', queue, job: job?.name ?? '' }, () =>
          this.logger.warn(`${queue} job ${job?.id} (${job?.name}) failed: ${error.message}`),
        ),
      );
      worker.on('error', (error) => this.logger.error(`${queue} worker: ${error.message}`));
      this.workers.push(worker);
    }
    if (this.queues.includes('embed')) await this.scheduleReconciliation();
    if (this.queues.includes('digest')) await this.scheduleDigests();
    this.takingJobs = true;
    this.logger.log(`consuming ${this.queues.join(', ')}`);
  }

  private bindHandlers(): void {
    const found: JobName[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const name = this.reflector.get<JobName | undefined>(JOB_HANDLER, prototype[method]);
        if (!name) continue;
        found.push(name);
        this.handlers.set(name, (prototype[method] as Handler).bind(instance));
      }
    }
    const problems = handlerProblems(jobsOfQueues(this.queues), found);
    if (problems.length > 0) throw new Error(`worker cannot start: ${problems.join('; ')}`);
  }

  private async run(job: Job, worker: Worker, token: string | undefined): Promise<unknown> {
    const handler = this.handlers.get(job.name as JobName);
    if (!handler) throw new Error(`no handler for job "${job.name}"`);
    const started = performance.now();
    this.metrics.jobStarted(worker.name);
    const record = (outcome: 'completed' | 'failed') =>
      this.metrics.jobFinished(worker.name, (performance.now() - started) / 1000, outcome);
    try {
      return await withLogFields({ jobId: job.id ?? '', queue: worker.name, job: job.name }, async () => {
        const result = await handler(job.data, job);
        record('completed');
        this.logger.log(`${job.name} completed in ${Math.round(performance.now() - started)} ms`);
        return result;
      });
    } catch (error) {
      record('failed');
      if (error instanceof RateLimitedError) return this.retryLater(job, worker, token, error);
      throw error;
    }
  }

  /**
   * A resource said "not now": on a limited queue (a source with terms of use) the whole queue
   * waits that long on every worker; elsewhere the job alone is delayed. Neither spends an attempt.
   */
  private async retryLater(job: Job, worker: Worker, token: string | undefined, error: RateLimitedError): Promise<never> {
    this.logger.warn(`${job.name} ${job.id}: ${error.message}; retrying in ${Math.ceil(error.retryAfterMs / 1000)} s`);
    if (QUEUE_SETTINGS[worker.name as QueueName].limiter) {
      await worker.rateLimit(error.retryAfterMs);
      throw Worker.RateLimitError();
    }
    await job.moveToDelayed(Date.now() + error.retryAfterMs, token);
    throw new DelayedError();
  }

  /** Reconcile now (once per minute and model across all workers) and then on a fixed schedule. */
  private async scheduleReconciliation(): Promise<void> {
    const minute = new Date().toISOString().slice(0, 16).replace(/\D/g, '');
    await this.producer.enqueue('embed.reconcile', {}, { jobId: jobIds.embedReconcile(this.runtime.space.id, minute) });
    await this.producer.schedule('embed-reconcile', 'embed.reconcile', {}, this.config.reconcileEveryMs);
  }

  /** Daily digests at DIGEST_HOUR (UTC), weekly ones on DIGEST_WEEKDAY; idempotent upserts. */
  private async scheduleDigests(): Promise<void> {
    const { digestHour: hour, digestWeekday: weekday } = this.config;
    await this.producer.scheduleRepeat('digest-daily', 'digest.run', { cadence: 'daily' }, { pattern: `0 ${hour} * * *` });
    await this.producer.scheduleRepeat('digest-weekly', 'digest.run', { cadence: 'weekly' }, { pattern: `0 ${hour} * * ${weekday}` });
  }

  /** Stops taking jobs and waits for active ones, before queues and the database close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.takingJobs = false;
    this.logger.log('draining: no new jobs; finishing the active ones');
    await Promise.all(this.workers.map((worker) => worker.close()));
    this.logger.log('drained');
  }
}
