import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { HarvestService } from '@paperfeed/harvest';
import { QueueService } from '@paperfeed/queue';
import { SourceEndpoints, SourceRequest, validateSourceRequest } from '@paperfeed/sources';
import { AdminOnly } from '../common/admin.guard';
import { JobAcceptedDto } from './ingest-papers.dto';
import { parseSchedule } from './schedule';

const SOURCES_BODY: { description: string; schema: SchemaObject } = {
  description: 'one of the four source requests',
  schema: {
    oneOf: [
      { type: 'object', required: ['source', 'query'], properties: { source: { enum: ['arxiv'] }, query: { type: 'string', example: 'cat:cs.LG' }, maxResults: { type: 'integer', minimum: 1, maximum: 30000, default: 100 } } },
      { type: 'object', required: ['source'], properties: { source: { enum: ['arxiv-oai'] }, set: { type: 'string', example: 'cs' }, from: { type: 'string', format: 'date' }, until: { type: 'string', format: 'date' } } },
      { type: 'object', required: ['source', 'date'], properties: { source: { enum: ['hf-daily'] }, date: { type: 'string', format: 'date' } } },
      { type: 'object', required: ['source', 'url'], properties: { source: { enum: ['rss'] }, url: { type: 'string', format: 'uri', description: 'host must be in SOURCE_HOSTS' } } },
    ],
  },
};

interface ScheduleView {
  id: string;
  every?: string;
  cron?: string;
  ingest: SourceRequest;
  next: string | null;
}

const SCHEDULE_PREFIX = 'schedule-';

@ApiTags('ingestion')
@Controller('v1/ingest')
@AdminOnly()
export class SourcesController {
  private readonly endpoints: SourceEndpoints;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly harvests: HarvestService,
    private readonly queues: QueueService,
  ) {
    this.endpoints = { arxivApiUrl: config.arxivApiUrl, arxivOaiUrl: config.arxivOaiUrl, hfApiUrl: config.hfApiUrl, feedHosts: config.sourceHosts };
  }

  private validated(body: unknown, field = ''): SourceRequest {
    const result = validateSourceRequest(body, this.endpoints);
    if ('errors' in result) throw new BadRequestException(result.errors.map((e) => `${field}${e}`).join('; '));
    return result.request;
  }

  @Post('sources')
  @HttpCode(202)
  @ApiOperation({ summary: 'Ingest from arXiv (API or OAI-PMH), Hugging Face daily papers or an RSS/Atom feed' })
  @ApiBody(SOURCES_BODY)
  @ApiAcceptedResponse({ type: JobAcceptedDto, description: 'a harvest id, followed through GET /v1/jobs/:jobId over all its pages' })
  @ApiBadRequestResponse({ description: 'names each invalid field; a feed host not on SOURCE_HOSTS is refused' })
  async ingest(@Body() body: Record<string, unknown>): Promise<JobAcceptedDto> {
    return { jobId: await this.harvests.start(this.validated(body)) };
  }

  @Post('schedules')
  @HttpCode(201)
  @ApiOperation({ summary: 'Repeat an ingestion: every "30m" / "1h" / "1d", or a cron pattern ("0 6 * * 1-5", UTC)' })
  @ApiBody({ schema: { type: 'object', required: ['every', 'ingest'], properties: { every: { type: 'string', example: '1h' }, ingest: SOURCES_BODY.schema } } })
  @ApiCreatedResponse({ description: '{ id }' })
  async createSchedule(@Body() body: Record<string, unknown>): Promise<{ id: string }> {
    const problems: string[] = [];
    for (const key of Object.keys(body ?? {})) if (key !== 'every' && key !== 'ingest') problems.push(`${key}: is not a field of a schedule`);
    const schedule = parseSchedule(body?.every);
    if ('error' in schedule) problems.push(`every: ${schedule.error}`);
    let request: SourceRequest | undefined;
    try {
      request = this.validated(body?.ingest, 'ingest.');
    } catch (error) {
      problems.push((error as BadRequestException).message);
    }
    if (problems.length || !request || 'error' in schedule) throw new BadRequestException(problems.join('; '));
    const id = `${SCHEDULE_PREFIX}${crypto.randomUUID()}`;
    await this.queues.scheduleRepeat(id, 'harvest.start', { request }, schedule.repeat);
    return { id };
  }

  @Get('schedules')
  @ApiOperation({ summary: 'The ingestion schedules' })
  @ApiOkResponse({ description: '{ items: [{ id, every | cron, ingest, next }] }' })
  async listSchedules(): Promise<{ items: ScheduleView[] }> {
    const schedulers = await this.queues.schedulers('harvest.start');
    return {
      items: schedulers
        .filter((s) => s.id.startsWith(SCHEDULE_PREFIX))
        .map((s) => ({
          id: s.id,
          ...(s.every ? { every: `${s.every / 1000}s` } : { cron: s.pattern }),
          ingest: (s.data as { request: SourceRequest }).request,
          next: s.next ? new Date(s.next).toISOString() : null,
        })),
    };
  }

  @Delete('schedules/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an ingestion schedule' })
  @ApiNoContentResponse({ description: 'deleted' })
  async deleteSchedule(@Param('id') id: string): Promise<void> {
    if (!id.startsWith(SCHEDULE_PREFIX) || !(await this.queues.unschedule('harvest.start', id))) {
      throw new NotFoundException(`schedule ${id} not found`);
    }
  }
}
