import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { probe, readiness } from '@paperfeed/observability';
import { QueueService } from '@paperfeed/queue';
import { JobRunner } from './job-runner.service';
import { WorkerMetrics } from './worker-metrics';

/**
 * The worker's own HTTP port (METRICS_PORT): GET /metrics (Prometheus), /health/live (the process
 * runs) and /health/ready (database and Redis answer, the model is loaded if this worker embeds,
 * and it is taking jobs). Started before the model loads, so liveness answers during a slow start.
 */
@Injectable()
export class WorkerHttp implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHttp.name);
  private server: Server | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: WorkerMetrics,
    private readonly runner: JobRunner,
    private readonly dataSource: DataSource,
    private readonly queues: QueueService,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.metricsPort === undefined) return;
    const server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.config.metricsPort, () => resolve()));
    this.server = server;
    const address = server.address();
    this.logger.log(`metrics and health on port ${typeof address === 'object' && address ? address.port : this.config.metricsPort}`);
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, body: string, type = 'application/json') => {
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      response.end(body);
    };
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') return send(405, JSON.stringify({ statusCode: 405, error: 'Method Not Allowed', message: 'GET only' }));
    if (path === '/metrics') return send(200, await this.metrics.registry.metrics(), this.metrics.registry.contentType);
    if (path === '/health/live') return send(200, JSON.stringify({ status: 'ok' }));
    if (path === '/health/ready') {
      const [database, redis] = await Promise.all([probe(() => this.dataSource.query('SELECT 1')), probe(() => this.queues.ping())]);
      const checks: Record<string, string> = { database, redis, jobs: this.runner.takingJobs ? 'up' : 'down: not taking jobs' };
      if (this.runner.queues.includes('embed')) checks.model = this.runner.modelLoaded ? 'up' : 'down: loading';
      const { ready, body } = readiness(checks);
      return send(ready ? 200 : 503, JSON.stringify(body));
    }
    send(404, JSON.stringify({ statusCode: 404, error: 'Not Found', message: `${path} not found` }));
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
