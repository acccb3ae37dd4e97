import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly } from '../common/admin.guard';
import { ApiBodyErrors, ApiRateLimited, ApiError } from '../common/api-docs';
import { JobAcceptedDto } from './ingest-papers.dto';
import { SCHEDULE_BODY_SCHEMA, ScheduleCreatedDto, SchedulesDto, SOURCE_REQUEST_SCHEMA } from './ingest.dto';
import { SourcesService } from './sources.service';

@ApiTags('ingestion')
@Controller('v1/ingest')
@AdminOnly()
@ApiRateLimited()
export class SourcesController {
  constructor(private readonly sources: SourcesService) {}

  @Post('sources')
  @HttpCode(202)
  @ApiOperation({ summary: 'Ingest from arXiv (API or OAI-PMH), Hugging Face daily papers or an RSS/Atom feed' })
  @ApiBody({ description: 'one of the four source requests', schema: SOURCE_REQUEST_SCHEMA })
  @ApiAcceptedResponse({ type: JobAcceptedDto, description: 'a harvest id, followed through GET /v1/jobs/:jobId over all its pages' })
  @ApiBodyErrors('names each invalid field; a feed host not on SOURCE_HOSTS is refused')
  @ApiError(503, 'the database or Redis is unavailable; nothing is queued')
  async ingest(@Body() body: Record<string, unknown>): Promise<JobAcceptedDto> {
    return { jobId: await this.sources.start(body) };
  }

  @Post('schedules')
  @HttpCode(201)
  @ApiOperation({ summary: 'Repeat an ingestion: every "30m" / "1h" / "1d", or a cron pattern ("0 6 * * 1-5", UTC)' })
  @ApiBody({ schema: SCHEDULE_BODY_SCHEMA })
  @ApiCreatedResponse({ type: ScheduleCreatedDto })
  @ApiBodyErrors('names each invalid field of the schedule and of its ingest request')
  @ApiError(503, 'Redis is unavailable; nothing is scheduled')
  createSchedule(@Body() body: Record<string, unknown>): Promise<ScheduleCreatedDto> {
    return this.sources.createSchedule(body);
  }

  @Get('schedules')
  @ApiOperation({ summary: 'The ingestion schedules' })
  @ApiOkResponse({ type: SchedulesDto })
  @ApiError(503, 'Redis is unavailable')
  listSchedules(): Promise<SchedulesDto> {
    return this.sources.listSchedules();
  }

  @Delete('schedules/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an ingestion schedule' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiError(404, 'unknown schedule')
  @ApiError(503, 'Redis is unavailable')
  deleteSchedule(@Param('id') id: string): Promise<void> {
    return this.sources.deleteSchedule(id);
  }
}
