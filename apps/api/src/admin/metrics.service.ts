import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { renderJobStats } from '@paperfeed/observability';
import { QUEUES, QueueService } from '@paperfeed/queue';

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/** The api's Prometheus registry: its own process and HTTP metrics, the queues, and the workers' shared counters. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(private readonly queues: QueueService) {
    collectDefaultMetrics({ register: this.registry, prefix: 'paperfeed_api_' });
    this.httpDuration = new Histogram({
      name: 'paperfeed_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    const queueService = this.queues;
    new Gauge({
      name: 'paperfeed_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        for (const name of QUEUES) {
          const counts = await queueService.queue(name).getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
        }
      },
    });
  }

  async render(): Promise<string> {
    const own = await this.registry.metrics();
    return `${own}\n${renderJobStats(await this.queues.readStats())}`;
  }
}
