import { BadRequestException, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EmbeddingSpacesStore, PapersStore, ScoredPaper, SearchFilters } from '@paperfeed/db';
import { EXACT_KEYWORD_K, reciprocalRankFusion } from '@paperfeed/ranking';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { Page } from '../common/list.dto';
import { ScoredPaperDto, toPaperDto } from '../papers/paper.dto';
import { QueryEmbedder } from './query-embedder.service';
import { SearchQuery } from './search.query';

/**
 * How deep each side is read. Semantic results come from an approximate index whose order can
 * depend on how many rows are asked for, so every page reads the same depth: pages then never
 * repeat or skip. Keyword ranks are exact and may go deeper.
 */
const VECTOR_DEPTH = 100;
const KEYWORD_MAX_DEPTH = 1000;

/** "2025-01-31" as an upper bound means the whole day. */
function parseBound(value: string | undefined, endOfDay: boolean): Date | undefined {
  if (!value) return undefined;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  return new Date(dateOnly ? `${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : value);
}

@Injectable()
export class SearchService {
  constructor(
    private readonly papers: PapersStore,
    private readonly spaces: EmbeddingSpacesStore,
    private readonly queryEmbedder: QueryEmbedder,
  ) {}

  async search(query: SearchQuery): Promise<Page<ScoredPaperDto>> {
    const fingerprint = createHash('sha1')
      .update(JSON.stringify([query.q, query.mode, query.category, query.from, query.to]))
      .digest('base64url')
      .slice(0, 10);
    const position = query.cursor ? decodeCursor<{ o: number; f: string }>(query.cursor, ['o', 'f']) : { o: 0, f: fingerprint };
    if (position.f !== fingerprint) throw new BadRequestException('cursor: belongs to another search');
    const offset = position.o;
    const filters: SearchFilters = {
      category: query.category,
      from: parseBound(query.from, false),
      to: parseBound(query.to, true),
    };
    const results = await this.ranked(query, filters, Math.min(KEYWORD_MAX_DEPTH, offset + query.limit + 1));
    const items = results.slice(offset, offset + query.limit);
    const nextCursor = results.length > offset + query.limit ? encodeCursor({ o: offset + query.limit, f: fingerprint }) : null;
    return { items: items.map((item) => ({ paper: toPaperDto(item.paper), score: item.score })), nextCursor };
  }

  private async ranked(query: SearchQuery, filters: SearchFilters, keywordDepth: number): Promise<ScoredPaper[]> {
    const space = await this.spaces.find(this.queryEmbedder.modelKey);
    const keyword = () =>
      this.papers.keywordSearch(query.q, filters, query.mode === 'hybrid' ? VECTOR_DEPTH : keywordDepth, space?.id ?? null);
    const semantic = async () => {
      // A query of only unknown tokens has no usable vector: semantic finds nothing, hybrid falls back to keywords.
      const vector = await this.queryEmbedder.embed(query.q);
      return vector && space ? this.papers.semanticSearch(vector, space, filters, VECTOR_DEPTH) : [];
    };
    if (query.mode === 'keyword') return keyword();
    if (query.mode === 'semantic') return semantic();
    const [byWords, byMeaning] = await Promise.all([keyword(), semantic()]);
    const papers = new Map([...byWords, ...byMeaning].map((item) => [item.paper.id, item.paper]));
    return reciprocalRankFusion([
      { ids: byWords.map((i) => i.paper.id), k: EXACT_KEYWORD_K },
      { ids: byMeaning.map((i) => i.paper.id) },
    ]).map(({ id, score }) => ({
      paper: papers.get(id)!,
      score,
    }));
  }
}
