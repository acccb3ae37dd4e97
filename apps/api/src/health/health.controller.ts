import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { LiveDto, ReadinessDto } from './health.dto';
import { HealthService } from './health.service';

/** Probes are neither authenticated nor rate limited (see CallerThrottlerGuard). */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: '200 while the process runs' })
  @ApiOkResponse({ type: LiveDto })
  live(): LiveDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: '200 when the database and Redis answer, else 503 naming which failed' })
  @ApiOkResponse({ type: ReadinessDto, description: '{ status: "ok", checks: { database: "up", redis: "up" } }' })
  @ApiServiceUnavailableResponse({
    type: ReadinessDto,
    description: '{ status: "unavailable", checks: { database: "down: …", redis: "up" } }',
  })
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessDto> {
    const { ready, body } = await this.health.readiness();
    response.status(ready ? 200 : 503);
    return body;
  }
}
