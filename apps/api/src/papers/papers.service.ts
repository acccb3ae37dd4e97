import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { EmbeddingSpace, EmbeddingSpacesStore, PapersStore } from '@paperfeed/db';
import { modelKeyOf } from '@paperfeed/embeddings';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { Page } from '../common/list.dto';
import { ListPapersQuery } from './papers.query';
import { PaperDto, ScoredPaperDto, toPaperDto } from './paper.dto';

@Injectable()
export class PapersService {
  private readonly modelKey: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly papers: PapersStore,
    private readonly spaces: EmbeddingSpacesStore,
  ) {
    this.modelKey = modelKeyOf({ model: config.embeddingModel, dtype: config.embeddingDtype });
  }

  /** The configured model's space; null until a worker has loaded that model. */
  private space(): Promise<EmbeddingSpace | null> {
    return this.spaces.find(this.modelKey);
  }

  async get(id: string): Promise<PaperDto> {
    const space = await this.space();
    const paper = await this.papers.findById(id, space?.id ?? null);
    if (!paper) throw new NotFoundException(`paper ${id} not found`);
    return toPaperDto(paper);
  }

  async list(query: ListPapersQuery): Promise<Page<PaperDto>> {
    const after = query.cursor ? decodeCursor<{ p: string; i: string }>(query.cursor, ['p', 'i']) : undefined;
    const space = await this.space();
    const rows = await this.papers.listRecent(
      { date: query.date, category: query.category, limit: query.limit, after: after && { publishedAt: after.p, id: after.i } },
      space?.id ?? null,
    );
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > query.limit ? encodeCursor({ p: last.publishedAt.toISOString(), i: last.id }) : null;
    return { items: items.map(toPaperDto), nextCursor };
  }

  async similar(id: string, limit: number): Promise<{ items: ScoredPaperDto[] }> {
    const space = await this.space();
    const paper = await this.papers.findById(id, space?.id ?? null);
    if (!paper) throw new NotFoundException(`paper ${id} not found`);
    if (!space || !paper.indexed) throw new ConflictException(`paper ${id} is not indexed yet; try again shortly`);
    const items = await this.papers.similar(id, space, limit);
    return { items: items.map((item) => ({ paper: toPaperDto(item.paper), score: item.score })) };
  }
}
