import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiCallerErrors, ApiDatabaseErrors, ApiError, ApiValidationErrors } from '../common/api-docs';
import { Page } from '../common/list.dto';
import { PaperDto, PaperPageDto, ScoredPaperDto, SimilarPapersDto } from './paper.dto';
import { ListPapersQuery, SimilarQuery } from './papers-query.dto';
import { PapersService } from './papers.service';

@ApiTags('papers')
@Controller('v1/papers')
@ApiCallerErrors()
@ApiDatabaseErrors()
export class PapersController {
  constructor(private readonly papers: PapersService) {}

  @Get()
  @ApiOperation({ summary: 'List papers, newest first, optionally of one day and category' })
  @ApiOkResponse({ type: PaperPageDto })
  @ApiValidationErrors('names each invalid query parameter; a cursor of another sort')
  list(@Query() query: ListPapersQuery): Promise<Page<PaperDto>> {
    return this.papers.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One paper (URL-encode old-style ids such as hep-th%2F9901001)' })
  @ApiOkResponse({ type: PaperDto })
  @ApiError(404, 'unknown paper')
  get(@Param('id') id: string): Promise<PaperDto> {
    return this.papers.get(id);
  }

  @Get(':id/similar')
  @ApiOperation({ summary: 'Most similar papers by embedding (cosine), never the paper itself' })
  @ApiOkResponse({ type: SimilarPapersDto })
  @ApiValidationErrors('limit is not 1–100')
  @ApiError(404, 'unknown paper')
  @ApiError(409, 'the paper is not indexed yet')
  similar(@Param('id') id: string, @Query() query: SimilarQuery): Promise<{ items: ScoredPaperDto[] }> {
    return this.papers.similar(id, query.limit);
  }
}
