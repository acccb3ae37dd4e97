import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HarvestService } from '@paperfeed/harvest';
import { JobStatus, QueueService } from '@paperfeed/queue';
import { AdminOnly } from '../common/admin.guard';
import { IngestPapersDto, JobAcceptedDto } from './ingest-papers.dto';
import { IngestService } from './ingest.service';

class JobStatusDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'ingest' }) queue!: string;
  @ApiProperty({ enum: ['waiting', 'active', 'delayed', 'completed', 'failed'] }) state!: string;
  @ApiProperty({ description: 'number or object reported by the job' }) progress!: unknown;
  @ApiPropertyOptional({ description: 'ingest jobs: { received, created, updated, unchanged, rejected, rejections }' })
  result?: unknown;
  @ApiPropertyOptional() failedReason?: string;
}

@ApiTags('ingestion')
@Controller('v1')
@AdminOnly()
export class IngestController {
  constructor(
    private readonly ingest: IngestService,
    private readonly queues: QueueService,
    private readonly harvests: HarvestService,
  ) {}

  @Post('ingest/papers')
  @HttpCode(202)
  @ApiOperation({ summary: 'Push 1–1000 papers; stored and embedded by the workers' })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @ApiBadRequestResponse({ description: 'names each invalid paper index and field; nothing is queued' })
  @ApiServiceUnavailableResponse({ description: 'Redis is down; nothing is queued' })
  async pushPapers(@Body() body: IngestPapersDto): Promise<JobAcceptedDto> {
    return { jobId: await this.ingest.pushPapers(body.papers) };
  }

  @Get('jobs/:jobId')
  @ApiOperation({ summary: 'State, progress and result of a job' })
  @ApiOkResponse({ type: JobStatusDto })
  @ApiNotFoundResponse({ description: 'unknown job (or removed after its retention period)' })
  async job(@Param('jobId') jobId: string): Promise<JobStatusDto> {
    // A harvest spans several queue jobs (one per page); its id reports on all of them.
    const status: JobStatus | null = (await this.harvests.status(jobId)) ?? (await this.queues.status(jobId));
    if (!status) throw new NotFoundException(`job ${jobId} not found`);
    const { name: _name, ...body } = status;
    return body;
  }
}
