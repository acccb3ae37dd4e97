import { Controller, Get, Header, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { QUEUES, QueueName, QueueService } from '@paperfeed/queue';
import { AdminOnly } from '../common/admin.guard';
import { MetricsService } from './metrics.service';

interface QueueView {
  name: QueueName;
  paused: boolean;
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number };
}

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

function queueName(name: string): QueueName {
  if (!(QUEUES as readonly string[]).includes(name)) throw new NotFoundException(`queue ${name} not found (queues: ${QUEUES.join(', ')})`);
  return name as QueueName;
}

@ApiTags('operations')
@Controller()
export class AdminController {
  constructor(
    private readonly queues: QueueService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics: jobs per queue and state, job durations, papers ingested, embeddings computed, HTTP durations' })
  metricsText(): Promise<string> {
    return this.metrics.render();
  }

  @Get('v1/admin/queues')
  @AdminOnly()
  @ApiOperation({ summary: 'Every queue: paused or not, and its jobs by state' })
  @ApiOkResponse({ description: '[{ name, paused, counts: { waiting, active, delayed, completed, failed } }]' })
  async list(): Promise<QueueView[]> {
    return Promise.all(QUEUES.map((name) => this.view(name)));
  }

  @Post('v1/admin/queues/:name/pause')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'Pause a queue: workers finish active jobs and take no new ones' })
  @ApiNotFoundResponse({ description: 'unknown queue' })
  async pause(@Param('name') name: string): Promise<QueueView> {
    await this.queues.queue(queueName(name)).pause();
    return this.view(queueName(name));
  }

  @Post('v1/admin/queues/:name/resume')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'Resume a paused queue' })
  @ApiNotFoundResponse({ description: 'unknown queue' })
  async resume(@Param('name') name: string): Promise<QueueView> {
    await this.queues.queue(queueName(name)).resume();
    return this.view(queueName(name));
  }

  @Post('v1/admin/queues/:name/retry-failed')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'Move every failed job of a queue (its dead letters) back to waiting' })
  @ApiNotFoundResponse({ description: 'unknown queue' })
  async retryFailed(@Param('name') name: string): Promise<QueueView & { retried: number }> {
    const queue = this.queues.queue(queueName(name));
    const retried = (await queue.getJobCounts('failed')).failed ?? 0;
    await queue.retryJobs({ state: 'failed' });
    return { ...(await this.view(queueName(name))), retried };
  }

  private async view(name: QueueName): Promise<QueueView> {
    const queue = this.queues.queue(name);
    const [paused, counts] = await Promise.all([queue.isPaused(), queue.getJobCounts(...STATES)]);
    return {
      name,
      paused,
      counts: { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0, completed: counts.completed ?? 0, failed: counts.failed ?? 0 },
    };
  }
}

