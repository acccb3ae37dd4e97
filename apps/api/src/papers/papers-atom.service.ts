import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { renderAtom } from './atom';
import { PapersAtomQuery } from './papers-query.dto';
import { PapersService } from './papers.service';

const ATOM_ENTRIES = 50;

/** The public paper lists as Atom 1.0 documents, for feed readers. */
@Injectable()
export class PapersAtomService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly papers: PapersService,
  ) {}

  async render(query: PapersAtomQuery): Promise<string> {
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
