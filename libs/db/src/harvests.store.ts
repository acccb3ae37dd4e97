import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { HarvestCursor, SourceRequest, Validators } from '@paperfeed/sources';
import { EmbeddingKey } from './papers.store';

export interface HarvestCounts {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

/** What storing a page's records gave (libs/ingest PaperIngest.store): its counts, rejections, papers to embed. */
export interface PageOutcome {
  counts: HarvestCounts;
  rejections: { id?: string; reason: string }[];
  needsEmbedding: EmbeddingKey[];
}

export interface Harvest {
  id: string;
  request: SourceRequest;
  cursor: HarvestCursor;
  pages: number;
  counts: HarvestCounts;
  rejections: { id?: string; reason: string }[];
  state: 'waiting' | 'active' | 'completed' | 'failed';
  failedReason: string | null;
  /** Records the source says the whole harvest holds; null until a page said so. */
  expected: number | null;
}

/** What operators see of the harvests under way (metrics). */
export interface HarvestProgress {
  active: number;
  pages: number;
  received: number;
  expected: number;
}

/** Rejections kept per harvest (the counts keep counting past it). */
const MAX_REJECTIONS = 100;

/** Columns of a harvest, named as the Harvest interface names them. */
const HARVEST_COLUMNS = `id, request, cursor, pages, counts, rejections, state, failed_reason AS "failedReason", expected`;

/**
 * Harvests: one ingestion from a source, page by page. A page's papers, the new cursor and the
 * counts are written in one transaction, and only if the cursor is still the one the page was
 * fetched from: a page fetched twice (a retry after a crash) is stored once.
 */
export class HarvestsStore {
  constructor(private readonly dataSource: DataSource) {}

  async create(request: SourceRequest): Promise<string> {
    const id = randomUUID();
    await this.dataSource.query(`INSERT INTO harvests (id, source, request) VALUES ($1, $2, $3)`, [
      id,
      request.source,
      JSON.stringify(request),
    ]);
    return id;
  }

  async delete(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM harvests WHERE id = $1`, [id]);
  }

  async get(id: string): Promise<Harvest | null> {
    const rows: Harvest[] = await this.dataSource.query(`SELECT ${HARVEST_COLUMNS} FROM harvests WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The harvest, marked active if it was waiting (one round trip: a page job's first step). */
  async activate(id: string): Promise<Harvest | null> {
    const rows: Harvest[] = await this.dataSource.query(
      // Wrapped in a SELECT: TypeORM returns an UPDATE's rows with its row count.
      `WITH activated AS (
         UPDATE harvests SET state = CASE WHEN state = 'waiting' THEN 'active' ELSE state END,
                             updated_at = CASE WHEN state = 'waiting' THEN now() ELSE updated_at END
         WHERE id = $1 RETURNING *)
       SELECT ${HARVEST_COLUMNS} FROM activated`,
      [id],
    );
    return rows[0] ?? null;
  }

  async fail(id: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE harvests SET state = 'failed', failed_reason = $2, updated_at = now() WHERE id = $1 AND state <> 'completed'`,
      [id, reason.slice(0, 2000)],
    );
  }

  /**
   * Stores a page fetched at `from`: `store` writes its papers (through libs/ingest, inside this
   * transaction), then the counts and the new cursor are written in the same transaction. Returns
   * null, storing nothing, when that page was stored already (the cursor moved on), else the
   * page's counts and the papers that need embedding.
   */
  async storePage(
    id: string,
    from: HarvestCursor,
    next: HarvestCursor | null,
    store: (manager: EntityManager) => Promise<PageOutcome>,
    expected: number | null = null,
  ): Promise<{ counts: HarvestCounts; needsEmbedding: EmbeddingKey[]; state: Harvest['state']; pages: number } | null> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Harvest[] = await manager.query(`SELECT ${HARVEST_COLUMNS} FROM harvests WHERE id = $1 FOR UPDATE`, [id]);
      const harvest = rows[0];
      if (!harvest || harvest.state === 'completed' || JSON.stringify(harvest.cursor) !== JSON.stringify(from)) return null;
      const outcome = await store(manager);
      const c = outcome.counts;
      const counts: HarvestCounts = {
        received: c.received,
        created: c.created,
        updated: c.updated,
        unchanged: c.unchanged,
        rejected: c.rejected,
      };
      const rejections = outcome.rejections.map((r) => ({ ...(r.id ? { id: r.id } : {}), reason: r.reason }));
      const total = Object.fromEntries(
        Object.entries(harvest.counts).map(([key, value]) => [key, value + counts[key as keyof HarvestCounts]]),
      );
      const [updated]: { state: Harvest['state']; pages: number }[] = await manager.query(
        `WITH stored AS (
           UPDATE harvests SET cursor = $2, pages = pages + 1, counts = $3, rejections = $4, state = $5, expected = COALESCE($6, expected), updated_at = now()
           WHERE id = $1 RETURNING state, pages)
         SELECT state, pages FROM stored`,
        [
          id,
          JSON.stringify(next ?? harvest.cursor),
          JSON.stringify(total),
          JSON.stringify([...harvest.rejections, ...rejections].slice(0, MAX_REJECTIONS)),
          next ? 'active' : 'completed',
          expected,
        ],
      );
      return { counts, needsEmbedding: outcome.needsEmbedding, ...updated };
    });
  }

  /** The harvests waiting or under way: how many, their pages so far, records received and announced. */
  async progress(): Promise<HarvestProgress> {
    const [row]: HarvestProgress[] = await this.dataSource.query(
      `SELECT count(*)::int AS active, COALESCE(sum(pages), 0)::int AS pages,
              COALESCE(sum((counts->>'received')::int), 0)::int AS received, COALESCE(sum(expected), 0)::int AS expected
       FROM harvests WHERE state IN ('waiting', 'active')`,
    );
    return row;
  }

  /** Marks a harvest complete without storing anything (the source answered 304 Not Modified). */
  async complete(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE harvests SET state = 'completed', pages = pages + 1, updated_at = now() WHERE id = $1`, [id]);
  }

  async validators(url: string): Promise<Validators> {
    const rows: { etag: string | null; last_modified: string | null }[] = await this.dataSource.query(
      `SELECT etag, last_modified FROM source_validators WHERE url = $1`,
      [url],
    );
    return rows[0] ? { etag: rows[0].etag, lastModified: rows[0].last_modified } : {};
  }

  async saveValidators(url: string, validators: Validators): Promise<void> {
    if (!validators.etag && !validators.lastModified) return;
    await this.dataSource.query(
      `INSERT INTO source_validators (url, etag, last_modified) VALUES ($1, $2, $3)
       ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, updated_at = now()`,
      [url, validators.etag ?? null, validators.lastModified ?? null],
    );
  }
}
