import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { probe, readiness } from '@paperfeed/observability';
import { QueueService } from '@paperfeed/queue';
import { ReadinessDto } from './health.dto';

/**
 * Readiness: the database and Redis, each probed with a time limit (libs/observability, shared with
 * the worker's health port), in parallel.
 *
 * Not @nestjs/terminus: its body is { status, info, error, details: { x: { status } } } and a failed
 * check throws a 503 that our ErrorsFilter would turn into { statusCode, error, message }; keeping
 * the contract's { status, checks: { database: "up" | "down: …", redis } } means re-mapping its
 * result, and it has no Redis check without @nestjs/microservices: a dependency for no gain.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueueService,
  ) {}

  async readiness(): Promise<{ ready: boolean; body: ReadinessDto }> {
    const [database, redis] = await Promise.all([probe(() => this.dataSource.query('SELECT 1')), probe(() => this.queues.ping())]);
    const { ready, body } = readiness({ database, redis });
    return { ready, body: { status: body.status, checks: { database, redis } } };
  }
}
