import { Injectable } from '@nestjs/common';
import { ChangedPaper, PapersStore, StoredPaper } from '@paperfeed/db';
import { FeedCandidate } from '@paperfeed/ranking';

/** The feed ranks the most recently published papers; older ones are for search and similar. */
export const FEED_WINDOW = 50_000;
const SYNC_PAGE = 5_000;
/**
 * On a Postgres with concurrent writers a change can commit after a later-numbered one was read;
 * a periodic reload picks such a change up. (The embedded database runs one transaction at a time.)
 */
const RELOAD_MS = 10 * 60_000;

export interface IndexedPaper {
  paper: StoredPaper;
  /** The paper as the ranking functions read it, made once. */
  candidate: FeedCandidate;
  /** When its vector was stored (a change number): papers embedded after a fold are new to it. */
  vectorSeq: bigint;
}

/** Papers the feed considers for everyone: the newest and the most trending. */
const LIST_SIZE = 200;

/** The index as of one sync. */
export interface Corpus {
  papers: ReadonlyMap<string, IndexedPaper>;
  /** The change it has read through. */
  through: bigint;
  /** The LIST_SIZE newest and most trending papers. */
  newest(): IndexedPaper[];
  trending(): IndexedPaper[];
}

/** A paper as the ranking functions read it. */
export function toCandidate(paper: StoredPaper, vector: Float32Array | null): FeedCandidate {
  const { id, title, publishedAt, trendingScore, categories, authors } = paper;
  return { id, title, vector, publishedAt, trendingScore, categories, authors, text: `${paper.title}\n${paper.abstract}`.toLowerCase() };
}

/**
 * The k entries with the largest keys, largest first, in one pass (most entries fail the
 * comparison with the smallest kept): the lists are rebuilt whenever the corpus changes, which
 * during ingestion is every few hundred milliseconds.
 */
export function topK<T>(entries: Iterable<T>, k: number, key: (entry: T) => number): T[] {
  const kept: { entry: T; key: number }[] = []; // ascending by key
  for (const entry of entries) {
    const value = key(entry);
    if (kept.length === k && value <= kept[0].key) continue;
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (kept[mid].key < value) low = mid + 1;
      else high = mid;
    }
    kept.splice(low, 0, { entry, key: value });
    if (kept.length > k) kept.shift();
  }
  return kept.reverse().map((item) => item.entry);
}

/**
 * The newest FEED_WINDOW embedded papers of a space, in memory, so a feed request scores them
 * without querying candidates. Each use first asks the database for its latest change number (one
 * index lookup) and reads only what changed since: a new paper, vector, upvote or trending score
 * is in the very next feed.
 */
@Injectable()
export class CorpusIndex {
  private readonly papers = new Map<string, IndexedPaper>();
  private spaceId: number | null = null;
  private through = 0n;
  private loadedAt = 0;
  private lists: { through: bigint; newest?: IndexedPaper[]; trending?: IndexedPaper[] } | undefined;
  /** Syncs run one at a time; requests arriving meanwhile wait for the one in flight, then check again. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: PapersStore) {}

  /** The index of the space, current as of this call (or as of change `latest`, read by the caller). */
  current(spaceId: number, latest?: bigint): Promise<Corpus> {
    const synced = this.queue.then(() => this.sync(spaceId, latest));
    this.queue = synced.catch(() => undefined);
    return synced;
  }

  private async sync(spaceId: number, known?: bigint): Promise<Corpus> {
    const latest = known ?? (await this.store.latestChange());
    if (spaceId !== this.spaceId || Date.now() - this.loadedAt > RELOAD_MS) {
      this.papers.clear();
      this.lists = undefined;
      for (const row of await this.store.newestEmbedded(spaceId, FEED_WINDOW)) this.apply(row);
      this.spaceId = spaceId;
      this.through = latest;
      this.loadedAt = Date.now();
      return this.view();
    }
    while (this.through < latest) {
      const rows = await this.store.changedSince(spaceId, this.through, SYNC_PAGE);
      if (rows.length === 0) break;
      for (const row of rows) this.apply(row);
      this.through = rows[rows.length - 1].seq;
    }
    if (this.papers.size > FEED_WINDOW) this.evictOldest();
    return this.view();
  }

  /** The lists are sorted once per change, when first asked for. */
  private view(): Corpus {
    if (this.lists?.through !== this.through) this.lists = { through: this.through };
    const lists = this.lists;
    const top = (key: (entry: IndexedPaper) => number) => topK(this.papers.values(), LIST_SIZE, key);
    return {
      papers: this.papers,
      through: this.through,
      newest: () => (lists.newest ??= top((entry) => entry.paper.publishedAt.getTime())),
      trending: () => (lists.trending ??= top((entry) => entry.paper.trendingScore)),
    };
  }

  private apply({ paper, vector, vectorSeq }: ChangedPaper): void {
    if (!vector || vectorSeq === null) {
      this.papers.delete(paper.id);
      return;
    }
    this.papers.set(paper.id, { paper, candidate: toCandidate(paper, vector), vectorSeq });
  }

  private evictOldest(): void {
    const byAge = [...this.papers.values()].sort((a, b) => a.paper.publishedAt.getTime() - b.paper.publishedAt.getTime());
    for (const entry of byAge.slice(0, this.papers.size - FEED_WINDOW)) this.papers.delete(entry.paper.id);
  }
}
