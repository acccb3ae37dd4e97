import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/admin.guard';
import { ApiBodyErrors, ApiRateLimited, ApiError } from '../common/api-docs';
import { IngestPapersDto, JobAcceptedDto } from './ingest-papers.dto';
import { JobStatusDto } from './ingest.dto';
import { IngestService } from './ingest.service';

@ApiTags('ingestion')
@Controller('v1')
@AdminOnly()
@ApiRateLimited()
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post('ingest/papers')
  @HttpCode(202)
  @ApiOperation({ summary: 'Push 1–1000 papers; stored and embedded by the workers' })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @ApiBodyErrors('names each invalid paper index and field; nothing is queued')
  @ApiError(503, 'the database or Redis is unavailable; nothing is queued')
  async pushPapers(@Body() body: IngestPapersDto): Promise<JobAcceptedDto> {
    return { jobId: await this.ingest.pushPapers(body.papers) };
  }

  @Get('jobs/:jobId')
  @ApiOperation({ summary: 'State, progress and result of a job' })
  @ApiOkResponse({ type: JobStatusDto })
  @ApiError(404, 'unknown job (or removed after its retention period)')
  @ApiError(503, 'the database or Redis is unavailable')
  job(@Param('jobId') jobId: string): Promise<JobStatusDto> {
    return this.ingest.jobStatus(jobId);
  }
}
