import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { DataSource } from 'typeorm';
import { QueueService } from '@paperfeed/queue';
import { probe, readiness } from '@paperfeed/observability';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueueService,
  ) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: '200 while the process runs' })
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: '200 when the database and Redis answer, else 503 naming which failed' })
  @ApiOkResponse({ description: '{ status: "ok", checks: { database: "up", redis: "up" } }' })
  @ApiServiceUnavailableResponse({ description: '{ status: "unavailable", checks: { database: "down: …" } }' })
  async ready(@Res({ passthrough: true }) response: Response) {
    const [database, redis] = await Promise.all([probe(() => this.dataSource.query('SELECT 1')), probe(() => this.queues.ping())]);
    const { ready, body } = readiness({ database, redis });
    response.status(ready ? 200 : 503);
    return body;
  }
}
