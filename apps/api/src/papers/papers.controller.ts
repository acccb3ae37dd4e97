import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page } from '../common/list.dto';
import { PaperDto, PaperPageDto, ScoredPaperDto, SimilarPapersDto } from './paper.dto';
import { ListPapersQuery, SimilarQuery } from './papers.query';
import { PapersService } from './papers.service';

@ApiTags('papers')
@Controller('v1/papers')
export class PapersController {
  constructor(private readonly papers: PapersService) {}

  @Get()
  @ApiOperation({ summary: 'List papers, newest first, optionally of one day and category' })
  @ApiOkResponse({ type: PaperPageDto })
  list(@Query() query: ListPapersQuery): Promise<Page<PaperDto>> {
    return this.papers.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One paper (URL-encode old-style ids such as hep-th%2F9901001)' })
  @ApiOkResponse({ type: PaperDto })
  @ApiNotFoundResponse({ description: 'unknown paper' })
  get(@Param('id') id: string): Promise<PaperDto> {
    return this.papers.get(id);
  }

  @Get(':id/similar')
  @ApiOperation({ summary: 'Most similar papers by embedding (cosine), never the paper itself' })
  @ApiOkResponse({ type: SimilarPapersDto })
  @ApiNotFoundResponse({ description: 'unknown paper' })
  @ApiConflictResponse({ description: 'the paper is not indexed yet' })
  similar(@Param('id') id: string, @Query() query: SimilarQuery): Promise<{ items: ScoredPaperDto[] }> {
    return this.papers.similar(id, query.limit);
  }
}
