import { DataSource, EntityManager } from 'typeorm';
import { paperTextHash, toPgvector } from '@paperfeed/embeddings';
import { Interaction, paperSignals, paperTerms, trendingScore } from '@paperfeed/ranking';
import { normalizeDoi, NormalizedPaper, titleKey } from '@paperfeed/sources';

/** A stored paper as the API shows it. */
export interface StoredPaper {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  publishedAt: Date;
  url: string | null;
  upvotes: number;
  trendingScore: number;
  /** When it arrived here (digests send what arrived since the last one). */
  createdAt: Date;
  indexed: boolean;
}

/** What the feed's profile reads of a paper: its categories and, once embedded, its vector. */
export interface PaperFeatures {
  title: string;
  categories: string[];
  vector: Float32Array | null;
}

/** The number of the latest change to any paper or vector, as an SQL expression. */
export const LATEST_PAPER_CHANGE = `GREATEST((SELECT max(change_seq) FROM papers), (SELECT max(change_seq) FROM paper_embeddings), 0)`;

/** A paper as a change feed reports it (PapersStore.changedSince). */
export interface ChangedPaper {
  paper: StoredPaper;
  vector: Float32Array | null;
  /** The paper's latest change number, of the paper or its vector. */
  seq: bigint;
  /** The change number of its vector alone (when it was embedded). */
  vectorSeq: bigint | null;
}

/** Implicit negatives for a user's model are drawn from this many most recent embedded papers. */
const NEGATIVE_POOL = 2000;

/** pgvector's text form ('[0.1,0.2]') is JSON. */
const parseVector = (text: string) => Float32Array.from(JSON.parse(text) as number[]);

/** The sort key of a paper under a sort, for cursors. */
export function sortKey(paper: StoredPaper, sort: PaperSort): string | number {
  if (sort === 'recent') return paper.publishedAt.toISOString();
  return sort === 'upvotes' ? paper.upvotes : paper.trendingScore;
}

/** What an embed job's identity is made of: the paper, its text, and how many times its text changed. */
export interface EmbeddingKey {
  id: string;
  textHash: string;
  textVersion: number;
}

/** What a record can be recognised by as a stored paper (PapersStore.match). */
export interface PaperIdentity {
  /** Ids the record goes by (a record combined from several in one batch has several), first preferred. */
  ids: string[];
  doi: string | null;
  /** The record's title key (titleKey in libs/sources). */
  titleKey: string | null;
  /** Whether the title key may match (the ingestion rule: only for a record without an arXiv id). */
  matchTitle: boolean;
}

export interface UpsertCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface UpsertOutcome extends UpsertCounts {
  /** Papers whose embedded text is new or changed: they need (re-)embedding (shortest text first). */
  needsEmbedding: EmbeddingKey[];
}

export const PAPER_SORTS = ['recent', 'upvotes', 'trending'] as const;
export type PaperSort = (typeof PAPER_SORTS)[number];

/** Keyset position in a sorted list: the sort key of the last item seen and its id. */
export interface ListPosition {
  key: string | number;
  id: string;
}

export interface PaperListQuery {
  sort: PaperSort;
  /** UTC day, YYYY-MM-DD. */
  date?: string;
  /** Published at or after. */
  since?: Date;
  category?: string;
  limit: number;
  after?: ListPosition;
}

/**
 * How a record's columns combine with the stored paper (the one rule for a paper arriving again,
 * from any source). The text side — what identifies the version of the paper — is taken from the
 * record only when the record *wins*: it is new, or it carries a version at least the stored one,
 * or neither has a version (then the latest record wins). An unversioned record (Hugging Face, a
 * feed, a push without `version`) never replaces the text of a versioned one, so two sources
 * cannot flip a paper's text back and forth. What a record leaves empty (no categories, no url)
 * never erases what is stored. Metadata (upvotes, code, submitter, daily date) comes from any
 * record that says it.
 * The DOI is metadata too; the title key (what titles are matched by, see libs/ingest) follows the title.
 */
const WINS = `(pr.id IS NULL OR (i.version IS NOT NULL AND (pr.version IS NULL OR i.version >= pr.version)) OR (i.version IS NULL AND pr.version IS NULL))`;
const RESOLVE = {
  version: `CASE WHEN ${WINS} THEN COALESCE(i.version, pr.version) ELSE pr.version END`,
  title: `CASE WHEN ${WINS} THEN i.title ELSE pr.title END`,
  abstract: `CASE WHEN ${WINS} THEN i.abstract ELSE pr.abstract END`,
  authors: `CASE WHEN ${WINS} AND cardinality(i.authors) > 0 THEN i.authors ELSE COALESCE(pr.authors, i.authors) END`,
  categories: `CASE WHEN ${WINS} AND cardinality(i.categories) > 0 THEN i.categories ELSE COALESCE(pr.categories, i.categories) END`,
  published_at: `CASE WHEN ${WINS} THEN i.published_at ELSE pr.published_at END`,
  url: `CASE WHEN ${WINS} THEN COALESCE(i.url, pr.url) ELSE COALESCE(pr.url, i.url) END`,
  source_updated_at: `CASE WHEN ${WINS} THEN COALESCE(i.source_updated_at, pr.source_updated_at) ELSE pr.source_updated_at END`,
  source_upvotes: 'COALESCE(i.source_upvotes, pr.source_upvotes, 0)',
  github_repo: 'COALESCE(i.github_repo, pr.github_repo)',
  submitted_by: 'COALESCE(i.submitted_by, pr.submitted_by)',
  daily_date: 'COALESCE(i.daily_date, pr.daily_date)',
  text_hash: `CASE WHEN ${WINS} THEN i.text_hash ELSE pr.text_hash END`,
  doi: 'COALESCE(i.doi, pr.doi)',
  title_key: `CASE WHEN ${WINS} THEN i.title_key ELSE pr.title_key END`,
} as const;
/** The columns a source sets, in the order the upsert writes them. */
const SOURCE_COLUMNS = Object.keys(RESOLVE) as (keyof typeof RESOLVE)[];
/** The stored columns the rule reads. */
const PREVIOUS_COLUMNS = [
  'version',
  'title',
  'abstract',
  'authors',
  'categories',
  'published_at',
  'url',
  'source_updated_at',
  'source_upvotes',
  'github_repo',
  'submitted_by',
  'daily_date',
  'text_hash',
  'text_version',
  'doi',
  'title_key',
];

/** pgvector's default hnsw.ef_search: an HNSW scan yields at most this many rows. */
const DEFAULT_EF_SEARCH = 40;

/** Each sort is one indexed column, descending, ties broken by id (so keyset pages are stable). */
const SORT_COLUMNS: Record<PaperSort, { column: string; type: string }> = {
  recent: { column: 'p.published_at', type: 'timestamptz' },
  upvotes: { column: 'p.upvotes', type: 'int' },
  trending: { column: 'p.trending_score', type: 'float8' },
};

export interface ScoredPaper {
  paper: StoredPaper;
  score: number;
}

export interface SearchFilters {
  category?: string;
  /** Published at or after. */
  from?: Date;
  /** Published at or before. */
  to?: Date;
}

/** Appends the filters' conditions (and their parameters) for a papers row `p`. */
function filterConditions(filters: SearchFilters, params: unknown[]): string[] {
  const where: string[] = [];
  if (filters.category) {
    params.push([filters.category]);
    where.push(`p.categories @> $${params.length}::text[]`);
  }
  if (filters.from) {
    params.push(filters.from);
    where.push(`p.published_at >= $${params.length}`);
  }
  if (filters.to) {
    params.push(filters.to);
    where.push(`p.published_at <= $${params.length}`);
  }
  return where;
}

export interface PaperToEmbed extends EmbeddingKey {
  title: string;
  abstract: string;
}

const PAPER_COLUMNS = `p.id, p.title, p.abstract, p.authors, p.categories, p.published_at, p.url, p.upvotes, p.trending_score, p.created_at`;

interface PaperRow {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  published_at: Date;
  url: string | null;
  upvotes: number;
  trending_score: number;
  created_at: Date;
  indexed: boolean;
}

function toStoredPaper(row: PaperRow): StoredPaper {
  return {
    id: row.id,
    title: row.title,
    abstract: row.abstract,
    authors: row.authors,
    categories: row.categories,
    publishedAt: row.published_at,
    url: row.url,
    upvotes: row.upvotes,
    trendingScore: row.trending_score,
    createdAt: row.created_at,
    indexed: row.indexed,
  };
}

/**
 * `indexed` for a paper row `p`: it has a vector in the given space (NULL space: none yet). A join
 * on the primary key, not EXISTS: the planner would turn EXISTS into a scan of every vector.
 */
const JOIN_INDEXED = (spaceParam: string) => `LEFT JOIN paper_embeddings ie ON ie.paper_id = p.id AND ie.space_id = ${spaceParam}`;
const INDEXED = `(ie.paper_id IS NOT NULL) AS indexed`;

/** Reads and writes papers and their embeddings. All SQL for the papers table lives here. */
/** A stored arXiv id (no version): papers matched by title are arXiv papers (libs/ingest's rule). */
const ARXIV_ID_SQL = String.raw`^(\d{4}\.\d{4,5}|[a-z-]+(\.[a-z]{2})?/\d{7})$`;

export class PapersStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts or updates papers in one transaction. A paper already stored with a newer version
   * keeps it; a paper whose embedded text changed loses its stale vectors (so it is never shown
   * as indexed with an outdated embedding). `papers` must not repeat an id.
   */
  async upsert(papers: NormalizedPaper[], manager: EntityManager = this.dataSource.manager): Promise<UpsertOutcome> {
    if (papers.length === 0) return { created: 0, updated: 0, unchanged: 0, needsEmbedding: [] };
    const records = papers.map((paper) => ({
      id: paper.id,
      version: paper.version,
      title: paper.title,
      abstract: paper.abstract,
      authors: paper.authors,
      categories: paper.categories,
      published_at: paper.publishedAt.toISOString(),
      url: paper.url,
      source_upvotes: paper.upvotes,
      text_hash: paperTextHash(paper),
      source_updated_at: paper.updatedAt?.toISOString() ?? null,
      github_repo: paper.githubRepo ?? null,
      submitted_by: paper.submittedBy ?? null,
      daily_date: paper.dailyDate ?? null,
      doi: normalizeDoi(paper.doi),
      title_key: titleKey(paper.title),
      // A new paper has no votes or events yet: its score is its publication's alone.
      trending_score: trendingScore(paperSignals({ publishedAt: paper.publishedAt, sourceUpvotes: paper.upvotes ?? 0 }, [])),
    }));
    const rows: { id: string; text_hash: string; text_version: number; created: boolean; text_changed: boolean }[] = await manager.query(
      `
      WITH incoming AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
          id text, version int, title text, abstract text, authors text[], categories text[],
          published_at timestamptz, url text, source_upvotes int, text_hash text,
          source_updated_at timestamptz, github_repo text, submitted_by text, daily_date date, trending_score float8,
          doi text, title_key text)
      ),
      previous AS (
        SELECT p.id, ${PREVIOUS_COLUMNS.map((c) => `p.${c}`).join(', ')}
        FROM papers p JOIN incoming i ON i.id = p.id FOR UPDATE OF p
      ),
      resolved AS (
        SELECT i.id, ${SOURCE_COLUMNS.map((c) => `${RESOLVE[c]} AS ${c}`).join(', ')}, i.trending_score, pr.text_hash AS previous_hash, pr.text_version AS previous_version
        FROM incoming i LEFT JOIN previous pr ON pr.id = i.id
      ),
      written AS (
        INSERT INTO papers AS p (id, ${SOURCE_COLUMNS.join(', ')}, trending_score, text_version)
        SELECT id, ${SOURCE_COLUMNS.join(', ')}, trending_score,
               -- Counts text changes, so an embed job for a text seen before (A → B → A) is a new job.
               CASE WHEN previous_hash IS NULL THEN 1 WHEN previous_hash <> text_hash THEN previous_version + 1 ELSE previous_version END
        FROM resolved
        ON CONFLICT (id) DO UPDATE SET
          ${SOURCE_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}, text_version = excluded.text_version, updated_at = now()
        WHERE (${SOURCE_COLUMNS.map((c) => `p.${c}`).join(', ')}) IS DISTINCT FROM (${SOURCE_COLUMNS.map((c) => `excluded.${c}`).join(', ')})
        RETURNING p.id, p.text_hash, p.text_version, (xmax = 0) AS created
      )
      SELECT w.id, w.text_hash, w.text_version, w.created, (pr.text_hash IS DISTINCT FROM w.text_hash) AS text_changed
      FROM written w LEFT JOIN previous pr ON pr.id = w.id`,
      [JSON.stringify(records)],
    );
    // Updated papers (new upvote counts, dates) get their score recomputed from all their signals.
    await this.refreshTrending(
      rows.filter((row) => !row.created).map((row) => row.id),
      manager,
    );
    const changedText = rows.filter((row) => !row.created && row.text_changed).map((row) => row.id);
    if (changedText.length > 0) {
      await manager.query(`DELETE FROM paper_embeddings WHERE paper_id = ANY($1)`, [changedText]);
    }
    const created = rows.filter((row) => row.created).length;
    const textLength = new Map(papers.map((paper) => [paper.id, paper.title.length + paper.abstract.length]));
    return {
      created,
      updated: rows.length - created,
      unchanged: papers.length - rows.length,
      needsEmbedding: rows
        .filter((row) => row.created || row.text_changed)
        .map((row) => ({ id: row.id, textHash: row.text_hash, textVersion: row.text_version, length: textLength.get(row.id) ?? 0 }))
        // Similar lengths in one embed job pad less (as embeddingKeys orders them).
        .sort((a, b) => a.length - b.length || (a.id < b.id ? -1 : 1))
        .map(({ id, textHash, textVersion }) => ({ id, textHash, textVersion })),
    };
  }

  /**
   * The stored paper each record is, by the ingestion rule (libs/ingest): the first of its ids that
   * is stored, else the paper with its DOI, else (only where `matchTitle`) the paper with its title
   * key; null for a new paper. Among several papers with that DOI or title key, the one stored
   * first. Call it inside the transaction that then upserts: it first takes transaction-scoped
   * advisory locks on the records' DOIs and title keys, so two transactions bringing the same new
   * paper under different ids (one by DOI, one by title) take turns, and the second finds the first.
   */
  async match(records: PaperIdentity[], manager: EntityManager = this.dataSource.manager): Promise<(string | null)[]> {
    if (records.length === 0) return [];
    const keys = [
      ...new Set(
        records.flatMap((r) => [r.doi ? `doi ${r.doi}` : null, r.titleKey ? `title ${r.titleKey}` : null]).filter((k) => k !== null),
      ),
    ];
    if (keys.length > 0) {
      // In one order, so two transactions locking overlapping keys cannot deadlock.
      await manager.query(
        `SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT DISTINCT hashtextextended(x, 0) AS k FROM unnest($1::text[]) AS x ORDER BY 1) s`,
        [keys],
      );
    }
    const rows: { n: number; id: string | null }[] = await manager.query(
      `WITH c AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(n int, ids text[], doi text, title_key text))
       SELECT c.n, COALESCE(
         (SELECT p.id FROM unnest(c.ids) WITH ORDINALITY AS u(id, o) JOIN papers p ON p.id = u.id ORDER BY u.o LIMIT 1),
         (SELECT p.id FROM papers p WHERE p.doi = c.doi ORDER BY p.created_at, p.id LIMIT 1),
         (SELECT p.id FROM papers p WHERE p.title_key = c.title_key AND p.id ~* '${ARXIV_ID_SQL}' ORDER BY p.created_at, p.id LIMIT 1)
       ) AS id
       FROM c`,
      [JSON.stringify(records.map((r, n) => ({ n, ids: r.ids, doi: r.doi, title_key: r.matchTitle ? r.titleKey : null })))],
    );
    const ids: (string | null)[] = records.map(() => null);
    for (const row of rows) ids[row.n] = row.id;
    return ids;
  }

  /**
   * Refreshes the planner's statistics. The embedded database (PGlite) runs no autovacuum, so
   * without this the planner keeps its empty-table estimates and picks scans over indexes.
   */
  async analyze(): Promise<void> {
    await this.dataSource.query('ANALYZE papers, paper_embeddings');
  }

  /** Recomputes the stored trending score of these papers from their signals (see libs/ranking). */
  async refreshTrending(ids: string[], manager: EntityManager = this.dataSource.manager): Promise<void> {
    if (ids.length === 0) return;
    const rows: {
      id: string;
      published_at: Date;
      source_upvotes: number;
      votes: Date[];
      interactions: { type: Interaction; at: string }[];
    }[] = await manager.query(
      `SELECT p.id, p.published_at, p.source_upvotes,
                COALESCE((SELECT array_agg(u.created_at) FROM paper_upvotes u WHERE u.paper_id = p.id), '{}') AS votes,
                COALESCE((SELECT json_agg(json_build_object('type', e.type, 'at', e.at)) FROM user_events e
                          WHERE e.paper_id = p.id AND e.type IN ('save', 'click', 'view')), '[]') AS interactions
         FROM papers p WHERE p.id = ANY($1)`,
      [ids],
    );
    const scores = rows.map((row) =>
      trendingScore(
        paperSignals(
          { publishedAt: row.published_at, sourceUpvotes: row.source_upvotes },
          row.votes,
          row.interactions.map((i) => ({ type: i.type, at: new Date(i.at) })),
        ),
      ),
    );
    await manager.query(
      `UPDATE papers p SET trending_score = x.score
       FROM unnest($1::text[], $2::float8[]) AS x(id, score) WHERE p.id = x.id`,
      [rows.map((row) => row.id), scores],
    );
  }

  async findById(id: string, spaceId: number | null): Promise<StoredPaper | null> {
    const rows: PaperRow[] = await this.dataSource.query(
      `SELECT ${PAPER_COLUMNS}, ${INDEXED} FROM papers p ${JOIN_INDEXED('$2')} WHERE p.id = $1`,
      [id, spaceId],
    );
    return rows[0] ? toStoredPaper(rows[0]) : null;
  }

  /** A page of papers in the sort's order, keyset-paginated on (sort key, id). Returns up to limit + 1 rows. */
  async list(query: PaperListQuery, spaceId: number | null): Promise<StoredPaper[]> {
    const { column, type } = SORT_COLUMNS[query.sort];
    const params: unknown[] = [spaceId, query.limit + 1];
    const where: string[] = [];
    if (query.date) {
      params.push(query.date);
      where.push(`p.published_at >= $${params.length}::date AND p.published_at < $${params.length}::date + 1`);
    }
    where.push(...filterConditions({ category: query.category, from: query.since }, params));
    if (query.after) {
      params.push(query.after.key, query.after.id);
      where.push(`(${column}, p.id) < ($${params.length - 1}::${type}, $${params.length})`);
    }
    const rows: PaperRow[] = await this.dataSource.query(
      `SELECT ${PAPER_COLUMNS}, ${INDEXED} FROM papers p ${JOIN_INDEXED('$1')}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${column} DESC, p.id DESC LIMIT $2`,
      params,
    );
    return rows.map(toStoredPaper);
  }

  /**
   * Nearest papers by cosine similarity through the space's HNSW index; the paper itself is
   * excluded. Empty when the paper has no vector in the space. The space id and dimension are
   * integers from our own table, inlined so the planner can match the partial index.
   */
  async similar(id: string, space: { id: number; dimensions: number }, limit: number): Promise<ScoredPaper[]> {
    const cast = `::vector(${Number(space.dimensions)})`;
    const spaceId = Number(space.id);
    const sql = `
      WITH target AS (
        SELECT embedding${cast} AS v FROM paper_embeddings WHERE paper_id = $1 AND space_id = ${spaceId}
      ),
      nearest AS (
        SELECT e.paper_id, e.embedding${cast} <=> (SELECT v FROM target) AS distance
        FROM paper_embeddings e
        WHERE e.space_id = ${spaceId} AND EXISTS (SELECT 1 FROM target)
        ORDER BY e.embedding${cast} <=> (SELECT v FROM target)
        LIMIT $2
      )
      SELECT ${PAPER_COLUMNS}, true AS indexed, n.distance
      FROM nearest n JOIN papers p ON p.id = n.paper_id
      WHERE n.paper_id <> $1
      ORDER BY n.distance, p.id
      LIMIT $3`;
    const params = [id, limit + 1, limit];
    // HNSW returns at most hnsw.ef_search rows (40 by default). One statement suffices for the
    // usual page sizes; a larger one needs a transaction to raise it.
    const rows: (PaperRow & { distance: number })[] =
      limit + 1 <= DEFAULT_EF_SEARCH
        ? await this.dataSource.query(sql, params)
        : await this.dataSource.transaction(async (manager) => {
            await manager.query(`SET LOCAL hnsw.ef_search = ${(limit + 1) * 2}`);
            return manager.query(sql, params);
          });
    return rows.map((row) => ({ paper: toStoredPaper(row), score: 1 - Number(row.distance) }));
  }

  /**
   * Full-text search: title (weight A) over abstract (B) over authors (C), ranked by ts_rank_cd.
   * websearch_to_tsquery reads "quoted phrases", -exclusions and OR, never fails on user input,
   * and requires every other word: precise, and fast through the GIN index. (Matching any word
   * instead ranks most of the corpus for a long query; meaning-based recall is the semantic side's job.)
   */
  async keywordSearch(q: string, filters: SearchFilters, limit: number, spaceId: number | null): Promise<ScoredPaper[]> {
    const params: unknown[] = [spaceId, limit, q];
    const where = ['p.search_vector @@ s.query', ...filterConditions(filters, params)];
    const rows: (PaperRow & { score: number })[] = await this.dataSource.query(
      `SELECT ${PAPER_COLUMNS}, ${INDEXED}, ts_rank_cd(p.search_vector, s.query, 32) AS score
       FROM papers p ${JOIN_INDEXED('$1')}, websearch_to_tsquery('english', $3) AS s(query)
       WHERE ${where.join(' AND ')}
       ORDER BY score DESC, p.id DESC LIMIT $2`,
      params,
    );
    return rows.map((row) => ({ paper: toStoredPaper(row), score: Number(row.score) }));
  }

  /** Nearest papers to a query vector in the space's HNSW index, with filters. */
  async semanticSearch(
    vector: ArrayLike<number>,
    space: { id: number; dimensions: number },
    filters: SearchFilters,
    limit: number,
  ): Promise<ScoredPaper[]> {
    const cast = `::vector(${Number(space.dimensions)})`;
    const params: unknown[] = [toPgvector(vector), limit];
    const where = [`e.space_id = ${Number(space.id)}`, ...filterConditions(filters, params)];
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL hnsw.ef_search = ${Math.max(40, limit * 2)}`);
      // With filters, keep scanning the graph until enough rows pass them (pgvector ≥ 0.8).
      await manager.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
      const rows: (PaperRow & { distance: number })[] = await manager.query(
        `SELECT ${PAPER_COLUMNS}, true AS indexed, e.embedding${cast} <=> $1${cast} AS distance
         FROM paper_embeddings e JOIN papers p ON p.id = e.paper_id
         WHERE ${where.join(' AND ')}
         ORDER BY e.embedding${cast} <=> $1${cast} LIMIT $2`,
        params,
      );
      return rows
        .map((row) => ({ paper: toStoredPaper(row), score: 1 - Number(row.distance) }))
        .sort((a, b) => b.score - a.score || (a.paper.id < b.paper.id ? 1 : -1));
    });
  }

  /** Papers by any of these authors (exact names, case-insensitive), newest first. */
  async byAuthors(names: string[], filters: SearchFilters, limit: number, spaceId: number | null): Promise<StoredPaper[]> {
    if (names.length === 0) return [];
    const params: unknown[] = [spaceId, limit, names.map((n) => n.toLowerCase())];
    const where = [
      `EXISTS (SELECT 1 FROM unnest(p.authors) AS a(name) WHERE lower(a.name) = ANY($3))`,
      ...filterConditions(filters, params),
    ];
    const rows: PaperRow[] = await this.dataSource.query(
      `SELECT ${PAPER_COLUMNS}, ${INDEXED} FROM papers p ${JOIN_INDEXED('$1')}
       WHERE ${where.join(' AND ')} ORDER BY p.published_at DESC, p.id DESC LIMIT $2`,
      params,
    );
    return rows.map(toStoredPaper);
  }

  /** Categories and vectors (in a space, if there is one) of these papers; unknown ids are absent. */
  async features(spaceId: number | null, ids: string[]): Promise<Map<string, PaperFeatures>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; title: string; categories: string[]; embedding: string | null }[] = await this.dataSource.query(
      `SELECT p.id, p.title, p.categories, e.embedding::text AS embedding
       FROM papers p LEFT JOIN paper_embeddings e ON e.paper_id = p.id AND e.space_id = $1
       WHERE p.id = ANY($2)`,
      [spaceId, [...new Set(ids)]],
    );
    return new Map(
      rows.map((row) => [
        row.id,
        { title: row.title, categories: row.categories, vector: row.embedding ? parseVector(row.embedding) : null },
      ]),
    );
  }

  /**
   * A sample of recent embedded papers outside `exclude`, the same for the same seed: the papers a
   * user was shown and passed over, as far as we can tell (implicit negatives for their model).
   */
  async sampleFeatures(
    spaceId: number,
    seed: string,
    limit: number,
    exclude: string[],
  ): Promise<{ categories: string[]; vector: Float32Array }[]> {
    const rows: { categories: string[]; embedding: string }[] = await this.dataSource.query(
      `SELECT categories, embedding FROM (
         SELECT p.id, p.categories, e.embedding::text AS embedding
         FROM papers p JOIN paper_embeddings e ON e.paper_id = p.id AND e.space_id = $1
         ORDER BY p.published_at DESC LIMIT ${NEGATIVE_POOL}
       ) recent
       WHERE NOT (id = ANY($4)) ORDER BY md5(id || $2) LIMIT $3`,
      [spaceId, seed, limit, exclude],
    );
    return rows.map((row) => ({ categories: row.categories, vector: parseVector(row.embedding) }));
  }

  /** The number of the latest change to any paper or vector (see the paper-changes migration). */
  async latestChange(): Promise<bigint> {
    const rows: { seq: string }[] = await this.dataSource.query(`SELECT ${LATEST_PAPER_CHANGE} AS seq`);
    return BigInt(rows[0].seq);
  }

  /**
   * Papers that changed, or whose vector in the space changed, after change `after`, in change
   * order, each with its vector (null: it has none in the space now) and its latest change number.
   */
  async changedSince(spaceId: number, after: bigint, limit: number): Promise<ChangedPaper[]> {
    const rows: (PaperRow & { embedding: string | null; seq: string; vector_seq: string | null })[] = await this.dataSource.query(
      `WITH changed AS (
         SELECT id, change_seq AS seq FROM papers WHERE change_seq > $2
         UNION ALL
         SELECT paper_id, change_seq FROM paper_embeddings WHERE space_id = $1 AND change_seq > $2
       ), latest AS (
         SELECT id, max(seq) AS seq FROM changed GROUP BY id ORDER BY seq LIMIT $3
       )
       SELECT ${PAPER_COLUMNS}, e.paper_id IS NOT NULL AS indexed, e.embedding::text AS embedding, l.seq::text AS seq, e.change_seq::text AS vector_seq
       FROM latest l JOIN papers p ON p.id = l.id LEFT JOIN paper_embeddings e ON e.paper_id = p.id AND e.space_id = $1
       ORDER BY l.seq`,
      [spaceId, after.toString(), limit],
    );
    return rows.map((row) => ({
      paper: toStoredPaper(row),
      vector: row.embedding ? parseVector(row.embedding) : null,
      seq: BigInt(row.seq),
      vectorSeq: row.vector_seq ? BigInt(row.vector_seq) : null,
    }));
  }

  /** The `limit` most recently published papers with a vector in the space (a corpus index's first load). */
  async newestEmbedded(spaceId: number, limit: number): Promise<ChangedPaper[]> {
    const rows: (PaperRow & { embedding: string; seq: string; vector_seq: string })[] = await this.dataSource.query(
      `SELECT ${PAPER_COLUMNS}, true AS indexed, e.embedding::text AS embedding, GREATEST(p.change_seq, e.change_seq)::text AS seq, e.change_seq::text AS vector_seq
       FROM papers p JOIN paper_embeddings e ON e.paper_id = p.id AND e.space_id = $1
       ORDER BY p.published_at DESC, p.id DESC LIMIT $2`,
      [spaceId, limit],
    );
    return rows.map((row) => ({
      paper: toStoredPaper(row),
      vector: parseVector(row.embedding),
      seq: BigInt(row.seq),
      vectorSeq: BigInt(row.vector_seq),
    }));
  }

  /** Papers (among `ids`, or any when omitted) that lack a current vector in the space. */
  async missingEmbeddings(spaceId: number, options: { ids?: string[]; limit: number; afterId?: string }): Promise<PaperToEmbed[]> {
    const params: unknown[] = [spaceId, options.limit];
    const where = [
      `NOT EXISTS (SELECT 1 FROM paper_embeddings e WHERE e.paper_id = p.id AND e.space_id = $1 AND e.text_hash = p.text_hash)`,
    ];
    if (options.ids) {
      params.push(options.ids);
      where.push(`p.id = ANY($${params.length})`);
    }
    if (options.afterId) {
      params.push(options.afterId);
      where.push(`p.id > $${params.length}`);
    }
    const rows: { id: string; title: string; abstract: string; text_hash: string; text_version: number }[] = await this.dataSource.query(
      `SELECT p.id, p.title, p.abstract, p.text_hash, p.text_version FROM papers p WHERE ${where.join(' AND ')} ORDER BY p.id LIMIT $2`,
      params,
    );
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      abstract: row.abstract,
      textHash: row.text_hash,
      textVersion: row.text_version,
    }));
  }

  /**
   * Writes the term counts (libs/ranking paperTerms: title + abstract) of those of these papers
   * whose paper_terms row is missing or was computed from another text, and moves lexicon df by
   * −old +new terms, in one statement; returns how many papers were (re)indexed. Locks the papers
   * first, so a concurrent upsert of the same paper waits. Without `manager` it runs in its own
   * transaction.
   */
  async indexTerms(ids: string[], manager?: EntityManager): Promise<number> {
    if (ids.length === 0) return 0;
    if (!manager) return this.dataSource.transaction((m) => this.indexTerms(ids, m));
    const stale: { id: string; title: string; abstract: string; text_hash: string }[] = await manager.query(
      `SELECT p.id, p.title, p.abstract, p.text_hash FROM papers p LEFT JOIN paper_terms t ON t.paper_id = p.id
       WHERE p.id = ANY($1) AND t.text_hash IS DISTINCT FROM p.text_hash ORDER BY p.id FOR UPDATE OF p`,
      [ids],
    );
    if (stale.length === 0) return 0;
    const records = stale.map((paper) => {
      const terms = [...paperTerms(paper)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return {
        paper_id: paper.id,
        text_hash: paper.text_hash,
        terms: terms.map(([term]) => term),
        counts: terms.map(([, count]) => count),
      };
    });
    // Every lexicon row this batch touches is locked by one upsert in term order, so concurrent
    // batches sharing terms queue behind each other instead of deadlocking; terms a paper keeps
    // (delta 0) are upserted too, for their ids.
    const [{ n }]: { n: number }[] = await manager.query(
      `
      WITH incoming AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(paper_id text, text_hash text, terms text[], counts real[])
      ),
      incoming_terms AS (
        SELECT i.paper_id, u.term, u.count FROM incoming i, unnest(i.terms, i.counts) AS u(term, count)
      ),
      old_terms AS (
        SELECT l.term FROM paper_terms t JOIN incoming i ON i.paper_id = t.paper_id, unnest(t.term_ids) AS o(id) JOIN lexicon l ON l.id = o.id
      ),
      delta AS (
        SELECT term, sum(d)::int AS d FROM (SELECT term, 1 AS d FROM incoming_terms UNION ALL SELECT term, -1 FROM old_terms) s GROUP BY term
      ),
      term_ids AS (
        INSERT INTO lexicon AS l (term, df) SELECT term, d FROM delta ORDER BY term
        ON CONFLICT (term) DO UPDATE SET df = l.df + excluded.df
        RETURNING l.id, l.term
      ),
      written AS (
        INSERT INTO paper_terms (paper_id, term_ids, counts, text_hash)
        SELECT i.paper_id,
               COALESCE(array_agg(ti.id ORDER BY ti.id) FILTER (WHERE ti.id IS NOT NULL), '{}'),
               COALESCE(array_agg(it.count ORDER BY ti.id) FILTER (WHERE ti.id IS NOT NULL), '{}'),
               i.text_hash
        FROM incoming i
        LEFT JOIN incoming_terms it ON it.paper_id = i.paper_id
        LEFT JOIN term_ids ti ON ti.term = it.term
        GROUP BY i.paper_id, i.text_hash
        ON CONFLICT (paper_id) DO UPDATE SET term_ids = excluded.term_ids, counts = excluded.counts, text_hash = excluded.text_hash
        RETURNING paper_id
      )
      SELECT count(*)::int AS n FROM written`,
      [JSON.stringify(records)],
    );
    return n;
  }

  /** Papers, in id order after `afterId`, whose paper_terms row is missing or outdated (for reconcile). */
  async missingTerms(options: { limit: number; afterId?: string }): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT p.id FROM papers p LEFT JOIN paper_terms t ON t.paper_id = p.id
       WHERE p.id > $1 AND t.text_hash IS DISTINCT FROM p.text_hash ORDER BY p.id LIMIT $2`,
      [options.afterId ?? '', options.limit],
    );
    return rows.map((row) => row.id);
  }

  /** How many papers lack a current vector in the space (the embedding backlog operators watch). */
  async embeddingBacklog(spaceId: number | null): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM papers p
       WHERE NOT EXISTS (SELECT 1 FROM paper_embeddings e WHERE e.paper_id = p.id AND e.space_id = $1 AND e.text_hash = p.text_hash)`,
      [spaceId],
    );
    return row.n;
  }

  /**
   * The current text hash of each of these papers (what an embed job's dedup key is made of),
   * shortest text first, so that embed jobs hold texts of similar length and batches pad little.
   */
  async embeddingKeys(ids: string[]): Promise<EmbeddingKey[]> {
    if (ids.length === 0) return [];
    const rows: { id: string; text_hash: string; text_version: number }[] = await this.dataSource.query(
      `SELECT id, text_hash, text_version FROM papers WHERE id = ANY($1) ORDER BY length(title) + length(abstract), id`,
      [ids],
    );
    return rows.map((row) => ({ id: row.id, textHash: row.text_hash, textVersion: row.text_version }));
  }

  /**
   * Stores vectors, each only if the paper's text is still the one that was embedded (a paper
   * edited meanwhile keeps waiting for its new vector). Returns how many were stored.
   */
  async storeEmbeddings(spaceId: number, items: { paperId: string; textHash: string; vector: ArrayLike<number> }[]): Promise<number> {
    if (items.length === 0) return 0;
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO paper_embeddings (paper_id, space_id, text_hash, embedding)
       SELECT x.paper_id, $1, x.text_hash, x.embedding::vector
       FROM unnest($2::text[], $3::text[], $4::text[]) AS x(paper_id, text_hash, embedding)
       JOIN papers p ON p.id = x.paper_id AND p.text_hash = x.text_hash
       ON CONFLICT (paper_id, space_id) DO UPDATE
         SET text_hash = excluded.text_hash, embedding = excluded.embedding, created_at = now(), change_seq = nextval('paper_change_seq')
         WHERE paper_embeddings.text_hash <> excluded.text_hash
       RETURNING paper_id`,
      [spaceId, items.map((i) => i.paperId), items.map((i) => i.textHash), items.map((i) => toPgvector(i.vector))],
    );
    return rows.length;
  }
}
