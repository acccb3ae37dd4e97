import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { SourceRequest } from '@paperfeed/sources';

/** The body of POST /v1/ingest/sources (validated by libs/sources, not by class-validator). */
export const SOURCE_REQUEST_SCHEMA: SchemaObject = {
  oneOf: [
    {
      type: 'object',
      required: ['source', 'query'],
      properties: {
        source: { enum: ['arxiv'] },
        query: { type: 'string', example: 'cat:cs.LG' },
        maxResults: { type: 'integer', minimum: 1, maximum: 30000, default: 100 },
      },
    },
    {
      type: 'object',
      required: ['source'],
      properties: {
        source: { enum: ['arxiv-oai'] },
        set: { type: 'string', example: 'cs' },
        from: { type: 'string', format: 'date' },
        until: { type: 'string', format: 'date' },
      },
    },
    {
      type: 'object',
      required: ['source', 'date'],
      properties: {
        source: { enum: ['hf-daily'] },
        date: { type: 'string', description: 'YYYY-MM-DD, "today" or "yesterday" (UTC, resolved when the job runs)' },
      },
    },
    {
      type: 'object',
      required: ['source', 'url'],
      properties: { source: { enum: ['rss'] }, url: { type: 'string', format: 'uri', description: 'host must be in SOURCE_HOSTS' } },
    },
  ],
};

export const SCHEDULE_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['every', 'ingest'],
  properties: {
    every: { type: 'string', example: '1h', description: '"30m", "1h", "1d" (at least 1m) or a cron pattern (UTC)' },
    ingest: SOURCE_REQUEST_SCHEMA,
  },
};

export class JobStatusDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'ingest' }) queue!: string;
  @ApiProperty({ enum: ['waiting', 'active', 'delayed', 'completed', 'failed'] }) state!: string;
  @ApiProperty({ description: 'number or object reported by the job', oneOf: [{ type: 'number' }, { type: 'object' }] }) progress!: unknown;
  @ApiPropertyOptional({
    type: 'object',
    description: 'ingest jobs: { received, created, updated, unchanged, rejected, rejections }',
    additionalProperties: true,
  })
  result?: unknown;
  @ApiPropertyOptional() failedReason?: string;
}

export class ScheduleCreatedDto {
  @ApiProperty({ example: 'schedule-6f1c…' }) id!: string;
}

export class ScheduleDto {
  @ApiProperty() id!: string;
  @ApiPropertyOptional({ example: '3600s', description: 'the interval, for interval schedules' }) every?: string;
  @ApiPropertyOptional({ example: '0 6 * * 1-5', description: 'the cron pattern, for cron schedules' }) cron?: string;
  @ApiProperty({ oneOf: SOURCE_REQUEST_SCHEMA.oneOf, description: 'what each run ingests' }) ingest!: SourceRequest;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'the next run' }) next!: string | null;
}

export class SchedulesDto {
  @ApiProperty({ type: [ScheduleDto] }) items!: ScheduleDto[];
}
