import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { HarvestService } from '@paperfeed/harvest';
import { QueueService } from '@paperfeed/queue';
import { SourceEndpoints, SourceRequest, validateSourceRequest } from '@paperfeed/sources';
import { ScheduleDto } from './ingest.dto';
import { parseSchedule } from './schedule';

const SCHEDULE_PREFIX = 'schedule-';

/** Ingestion from sources (harvests), now or on a schedule kept by the queue. */
@Injectable()
export class SourcesService {
  private readonly endpoints: SourceEndpoints;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly harvests: HarvestService,
    private readonly queues: QueueService,
  ) {
    this.endpoints = {
      arxivApiUrl: config.arxivApiUrl,
      arxivOaiUrl: config.arxivOaiUrl,
      hfApiUrl: config.hfApiUrl,
      feedHosts: config.sourceHosts,
    };
  }

  private validated(body: unknown, field = ''): SourceRequest {
    const result = validateSourceRequest(body, this.endpoints);
    if ('errors' in result) throw new BadRequestException(result.errors.map((e) => `${field}${e}`).join('; '));
    return result.request;
  }

  /** Starts a harvest; its id follows every page (GET /v1/jobs/:jobId). */
  start(body: unknown): Promise<string> {
    return this.harvests.start(this.validated(body));
  }

  async createSchedule(body: Record<string, unknown>): Promise<{ id: string }> {
    const problems: string[] = [];
    for (const key of Object.keys(body ?? {}))
      if (key !== 'every' && key !== 'ingest') problems.push(`${key}: is not a field of a schedule`);
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

  async listSchedules(): Promise<{ items: ScheduleDto[] }> {
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

  async deleteSchedule(id: string): Promise<void> {
    if (!id.startsWith(SCHEDULE_PREFIX) || !(await this.queues.unschedule('harvest.start', id))) {
      throw new NotFoundException(`schedule ${id} not found`);
    }
  }
}
