import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { ApiAtomResponse, ApiCallerErrors, ApiDatabaseErrors, ApiValidationErrors } from '../common/api-docs';
import { renderAtom } from './atom';
import { PapersAtomQuery } from './papers-query.dto';
import { PapersService } from './papers.service';

const ATOM_ENTRIES = 50;

@ApiTags('papers')
@Controller('v1')
@ApiCallerErrors()
@ApiDatabaseErrors()
export class AtomController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly papers: PapersService,
  ) {}

  @Get('papers.atom')
  @Header('Content-Type', 'application/atom+xml; charset=utf-8')
  @ApiOperation({ summary: 'Public paper lists as an Atom 1.0 feed (latest 50 entries), for feed readers' })
  @ApiAtomResponse('the latest 50 papers of the list')
  @ApiValidationErrors('names each invalid query parameter')
  async papersAtom(@Query() query: PapersAtomQuery): Promise<string> {
    const papers = await this.papers.listStored({ sort: query.sort, category: query.category, limit: ATOM_ENTRIES });
    const params = new URLSearchParams({ sort: query.sort, ...(query.category ? { category: query.category } : {}) });
    const selfUrl = `${this.config.publicUrl}/v1/papers.atom?${params}`;
    return renderAtom({
      id: selfUrl,
      title: `paperfeed: ${query.sort} papers${query.category ? ` in ${query.category}` : ''}`,
      selfUrl,
      papers,
    });
  }
}
