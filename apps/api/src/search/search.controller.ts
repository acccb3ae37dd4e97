import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiCallerErrors, ApiDatabaseErrors, ApiValidationErrors } from '../common/api-docs';
import { Page } from '../common/list.dto';
import { ScoredPaperDto } from '../papers/paper.dto';
import { SearchQuery } from './search-query.dto';
import { SearchPageDto } from './search.dto';
import { SearchService } from './search.service';

@ApiTags('search')
@Controller('v1/search')
@ApiDatabaseErrors()
@ApiCallerErrors()
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get()
  @ApiOperation({
    summary: 'Search papers by words (Postgres full text), by meaning (embeddings), or both fused (default)',
    description:
      'keyword: title > abstract > authors, websearch syntax ("phrase", -word, OR). semantic: the query embedded by the ' +
      'same model as the papers, nearest papers by cosine. hybrid: reciprocal-rank fusion of the two (k = 60). ' +
      'semantic and hybrid return up to 100 results; keyword up to 1000.',
  })
  @ApiOkResponse({ type: SearchPageDto })
  @ApiValidationErrors('names each invalid query parameter (q is 1–500 characters); a cursor of another search')
  find(@Query() query: SearchQuery): Promise<Page<ScoredPaperDto>> {
    return this.search.search(query);
  }
}
