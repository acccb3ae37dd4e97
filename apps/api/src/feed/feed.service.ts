import { BadRequestException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { UsersStore } from '@paperfeed/db';
import { FeedRanker } from '@paperfeed/feed';
import { FeedReason, reasonText } from '@paperfeed/ranking';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { FeedTokens } from '../common/feed-tokens';
import { Page } from '../common/list.dto';
import { renderAtom } from '../papers/atom';
import { PaperDto, toPaperDto } from '../papers/paper.dto';

/** Entries of a personalized Atom feed. */
const ATOM_ENTRIES = 50;

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
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ranker: FeedRanker,
    private readonly users: UsersStore,
    private readonly feedTokens: FeedTokens,
  ) {}

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

  /** The feed as Atom 1.0 for feed readers, which present the user's feed token instead of a bearer token. */
  async atom(userId: string, feedToken: string): Promise<string> {
    const user = await this.users.feedIdentity(userId);
    if (!user || !this.feedTokens.matches(userId, user.feedTokenSalt, feedToken))
      throw new UnauthorizedException('a valid feed token is required');
    const ranked = await this.ranker.rank(userId, {}, ATOM_ENTRIES);
    const reasons = new Map(ranked.map((item) => [item.paper.id, item.reasons]));
    return renderAtom({
      id: `urn:paperfeed:user:${userId}:feed`,
      title: `paperfeed: papers for ${user.name ?? 'you'}`,
      selfUrl: `${this.config.publicUrl}/v1/users/${userId}/feed.atom`,
      papers: ranked.map((item) => item.paper),
      summaryPrefix: (paper) => `Why: ${reasonText(reasons.get(paper.id) ?? [])}`,
    });
  }
}
