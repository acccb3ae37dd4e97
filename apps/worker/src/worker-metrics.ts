import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EMBEDDINGS_COMPUTED, JOB_DURATION_BUCKETS, jobDurationIncrements, mailCounter, PAPERS_INGESTED } from '@paperfeed/observability';
import { QueueService } from '@paperfeed/queue';

type Outcome = 'completed' | 'failed';

/**
 * This worker's Prometheus metrics (served on METRICS_PORT), and the fleet-wide counters in Redis
 * that the api's /metrics sums over every worker: each event is counted in both, here.
 */
@Injectable()
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly jobs = new Counter({
    name: 'paperfeed_worker_jobs_total',
    help: 'Jobs this worker finished, by queue and outcome',
    labelNames: ['queue', 'outcome'],
    registers: [this.registry],
  });
  private readonly active = new Gauge({
    name: 'paperfeed_worker_jobs_active',
    help: 'Jobs this worker is running, by queue',
    labelNames: ['queue'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'paperfeed_worker_job_duration_seconds',
    help: 'Time from a job starting to finishing on this worker',
    labelNames: ['queue', 'outcome'],
    buckets: JOB_DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly papers = new Counter({
    name: 'paperfeed_worker_papers_ingested_total',
    help: 'Papers created or updated by this worker',
    registers: [this.registry],
  });
  private readonly embeddings = new Counter({
    name: 'paperfeed_worker_embeddings_computed_total',
    help: 'Paper vectors this worker computed and stored',
    registers: [this.registry],
  });
  private readonly embeddingRate = new Gauge({
    name: 'paperfeed_worker_embeddings_per_second',
    help: "Papers per second of this worker's last embedding batch",
    registers: [this.registry],
  });

  constructor(private readonly queues: QueueService) {
    collectDefaultMetrics({ register: this.registry, prefix: 'paperfeed_worker_' });
  }

  jobStarted(queue: string): void {
    this.active.inc({ queue });
  }

  jobFinished(queue: string, seconds: number, outcome: Outcome): void {
    this.active.dec({ queue });
    this.jobs.inc({ queue, outcome });
    this.duration.observe({ queue, outcome }, seconds);
    this.share(jobDurationIncrements(queue, seconds, outcome));
  }

  papersIngested(count: number): void {
    this.papers.inc(count);
    this.share({ [PAPERS_INGESTED]: count });
  }

  embeddingsComputed(count: number, seconds: number): void {
    this.embeddings.inc(count);
    if (seconds > 0) this.embeddingRate.set(count / seconds);
    this.share({ [EMBEDDINGS_COMPUTED]: count });
  }

  /** A mail handed to SMTP (or refused), counted for the api's /metrics. */
  mailSent(kind: 'digest' | 'confirmation', outcome: 'sent' | 'failed'): void {
    this.share({ [mailCounter(kind, outcome)]: 1 });
  }

  /** Statistics never fail a job. */
  private share(increments: Record<string, number>): void {
    void this.queues.incrementStats(increments).catch(() => undefined);
  }
}
