import { BadRequestException, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { FeedRanker } from '@paperfeed/feed';
import { FeedReason } from '@paperfeed/ranking';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { Page } from '../common/list.dto';
import { PaperDto, toPaperDto } from '../papers/paper.dto';

export interface FeedItem {
  paper: PaperDto;
  score: number;
  reasons: FeedReason[];
}

export interface FeedQuery {
  category?: string;
  since?: Date;
  limit: number;
  cursor?: string;
}

/** Pages of a user's feed (see FeedRanker); cursors are offsets tied to the feed's filters. */
@Injectable()
export class FeedService {
  constructor(private readonly ranker: FeedRanker) {}

  async feed(userId: string, query: FeedQuery): Promise<Page<FeedItem>> {
    const fingerprint = createHash('sha1')
      .update(JSON.stringify([userId, query.category, query.since?.toISOString()]))
      .digest('base64url')
      .slice(0, 10);
    const position = query.cursor ? decodeCursor<{ o: number; f: string }>(query.cursor, ['o', 'f']) : { o: 0, f: fingerprint };
    if (position.f !== fingerprint) throw new BadRequestException('cursor: belongs to another feed');
    // One more than the page, to know whether another follows.
    const ranked = await this.ranker.rank(userId, { category: query.category, from: query.since }, position.o + query.limit + 1);
    const items = ranked.slice(position.o, position.o + query.limit).map((item) => ({ ...item, paper: toPaperDto(item.paper) }));
    const nextCursor = ranked.length > position.o + query.limit ? encodeCursor({ o: position.o + query.limit, f: fingerprint }) : null;
    return { items, nextCursor };
  }
}
