import { Controller, Get, Header, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { QueueOverview, QUEUES, QueueName, QueueService } from '@paperfeed/queue';
import { AdminOnly } from '../common/admin.guard';
import { MetricsService } from './metrics.service';

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
  async list(): Promise<QueueOverview[]> {
    return Promise.all(QUEUES.map((name) => this.queues.overview(name)));
  }

  @Post('v1/admin/queues/:name/pause')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'Pause a queue: workers finish active jobs and take no new ones' })
  @ApiNotFoundResponse({ description: 'unknown queue' })
  async pause(@Param('name') name: string): Promise<QueueOverview> {
    await this.queues.setPaused(queueName(name), true);
    return this.queues.overview(queueName(name));
  }

  @Post('v1/admin/queues/:name/resume')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'Resume a paused queue' })
  @ApiNotFoundResponse({ description: 'unknown queue' })
  async resume(@Param('name') name: string): Promise<QueueOverview> {
    await this.queues.setPaused(queueName(name), false);
    return this.queues.overview(queueName(name));
  }

  @Post('v1/admin/queues/:name/retry-failed')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'Move every failed job of a queue (its dead letters) back to waiting' })
  @ApiNotFoundResponse({ description: 'unknown queue' })
  async retryFailed(@Param('name') name: string): Promise<QueueOverview & { retried: number }> {
    const retried = await this.queues.retryFailed(queueName(name));
    return { ...(await this.queues.overview(queueName(name))), retried };
  }
}

