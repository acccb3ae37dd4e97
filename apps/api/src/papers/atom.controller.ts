import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { renderAtom } from './atom';
import { CategoryFilter } from './papers.query';
import { PapersService } from './papers.service';

const ATOM_SORTS = ['trending', 'recent'] as const;
const ATOM_ENTRIES = 50;

class PapersAtomQuery {
  @CategoryFilter()
  category?: string;

  @ApiPropertyOptional({ enum: ATOM_SORTS, default: 'recent' })
  @IsOptional()
  @IsIn(ATOM_SORTS)
  sort: (typeof ATOM_SORTS)[number] = 'recent';
}

@ApiTags('papers')
@Controller('v1')
export class AtomController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly papers: PapersService,
  ) {}

  @Get('papers.atom')
  @Header('Content-Type', 'application/atom+xml; charset=utf-8')
  @ApiOperation({ summary: 'Public paper lists as an Atom 1.0 feed (latest 50 entries), for feed readers' })
  @ApiOkResponse({ description: 'application/atom+xml' })
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
