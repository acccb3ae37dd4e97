import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/admin.guard';
import { ApiCallerErrors, ApiError } from '../common/api-docs';
import { QueueOverviewDto, RetriedQueueDto } from './admin.dto';
import { AdminService } from './admin.service';
import { MetricsService } from './metrics.service';

const ApiUnknownQueue = () => ApiError(404, 'unknown queue');
const ApiRedisDown = () => ApiError(503, 'Redis is unavailable');

@ApiTags('operations')
@Controller()
@ApiCallerErrors()
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    summary: 'Prometheus metrics: jobs per queue and state, job durations, papers ingested, embeddings computed, HTTP durations',
  })
  @ApiOkResponse({
    description: 'Prometheus text exposition format 0.0.4; a source that does not answer leaves its series out',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  metricsText(): Promise<string> {
    return this.metrics.render();
  }

  @Get('v1/admin/queues')
  @AdminOnly()
  @ApiOperation({ summary: 'Every queue: paused or not, and its jobs by state' })
  @ApiOkResponse({ type: [QueueOverviewDto] })
  @ApiRedisDown()
  list(): Promise<QueueOverviewDto[]> {
    return this.admin.list();
  }

  @Post('v1/admin/queues/:name/pause')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'Pause a queue: workers finish active jobs and take no new ones' })
  @ApiOkResponse({ type: QueueOverviewDto })
  @ApiUnknownQueue()
  @ApiRedisDown()
  pause(@Param('name') name: string): Promise<QueueOverviewDto> {
    return this.admin.setPaused(name, true);
  }

  @Post('v1/admin/queues/:name/resume')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'Resume a paused queue' })
  @ApiOkResponse({ type: QueueOverviewDto })
  @ApiUnknownQueue()
  @ApiRedisDown()
  resume(@Param('name') name: string): Promise<QueueOverviewDto> {
    return this.admin.setPaused(name, false);
  }

  @Post('v1/admin/queues/:name/retry-failed')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'Move every failed job of a queue (its dead letters) back to waiting' })
  @ApiOkResponse({ type: RetriedQueueDto })
  @ApiUnknownQueue()
  @ApiRedisDown()
  retryFailed(@Param('name') name: string): Promise<RetriedQueueDto> {
    return this.admin.retryFailed(name);
  }
}
