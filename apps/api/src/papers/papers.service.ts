import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { EmbeddingSpace, EmbeddingSpacesStore, PapersStore, PaperSort, sortKey, StoredPaper } from '@paperfeed/db';
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
    // A cursor is tied to its sort: one from another sort would skip or repeat items.
    const after = query.cursor ? decodeCursor<{ s: string; k: string | number; i: string }>(query.cursor, ['s', 'k', 'i']) : undefined;
    if (after && after.s !== query.sort) throw new BadRequestException(`cursor: belongs to sort=${after.s}, not sort=${query.sort}`);
    const space = await this.space();
    const rows = await this.papers.list(
      { sort: query.sort, date: query.date, category: query.category, limit: query.limit, after: after && { key: after.k, id: after.i } },
      space?.id ?? null,
    );
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > query.limit ? encodeCursor({ s: query.sort, k: sortKey(last, query.sort), i: last.id }) : null;
    return { items: items.map(toPaperDto), nextCursor };
  }

  /** Papers of a list without pagination (for feeds). */
  async listStored(query: { sort: PaperSort; category?: string; limit: number }): Promise<StoredPaper[]> {
    const space = await this.space();
    return (await this.papers.list(query, space?.id ?? null)).slice(0, query.limit);
  }

  async similar(id: string, limit: number): Promise<{ items: ScoredPaperDto[] }> {
    const space = await this.space();
    const items = space ? await this.papers.similar(id, space, limit) : [];
    if (items.length === 0) {
      // Nothing similar: find out why (the usual, non-empty path needs no second query).
      const paper = await this.papers.findById(id, space?.id ?? null);
      if (!paper) throw new NotFoundException(`paper ${id} not found`);
      if (!paper.indexed) throw new ConflictException(`paper ${id} is not indexed yet; try again shortly`);
    }
    return { items: items.map((item) => ({ paper: toPaperDto(item.paper), score: item.score })) };
  }
}
