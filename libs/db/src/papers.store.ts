import { DataSource, EntityManager } from 'typeorm';
import { paperTextHash, toPgvector } from '@paperfeed/embeddings';
import { NormalizedPaper } from '@paperfeed/sources';

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
  indexed: boolean;
}

export interface UpsertCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface UpsertOutcome extends UpsertCounts {
  /** Papers whose embedded text is new or changed: they need (re-)embedding. */
  needsEmbedding: string[];
}

export type PaperSort = 'recent';

export interface PaperListQuery {
  /** UTC day, YYYY-MM-DD. */
  date?: string;
  category?: string;
  limit: number;
  /** Keyset position after which to continue, from a previous page. */
  after?: { publishedAt: string; id: string };
}

export interface SimilarPaper {
  paper: StoredPaper;
  score: number;
}

export interface PaperToEmbed {
  id: string;
  title: string;
  abstract: string;
  textHash: string;
}

const PAPER_COLUMNS = `p.id, p.title, p.abstract, p.authors, p.categories, p.published_at, p.url, p.upvotes`;

interface PaperRow {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  published_at: Date;
  url: string | null;
  upvotes: number;
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
    indexed: row.indexed,
  };
}

/** `indexed` for a paper row `p`: it has a vector in the given space (NULL space: none yet). */
const INDEXED = (spaceParam: string) =>
  `EXISTS (SELECT 1 FROM paper_embeddings e WHERE e.paper_id = p.id AND e.space_id = ${spaceParam}) AS indexed`;

/** Reads and writes papers and their embeddings. All SQL for the papers table lives here. */
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
      upvotes: paper.upvotes,
      text_hash: paperTextHash(paper),
    }));
    const rows: { id: string; created: boolean; text_changed: boolean }[] = await manager.query(
      `
      WITH incoming AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
          id text, version int, title text, abstract text, authors text[], categories text[],
          published_at timestamptz, url text, upvotes int, text_hash text)
      ),
      previous AS (
        SELECT p.id, p.text_hash, p.version, p.upvotes FROM papers p JOIN incoming i ON i.id = p.id FOR UPDATE OF p
      ),
      -- Missing version or upvotes mean "unknown": keep what is stored.
      resolved AS (
        SELECT i.id, COALESCE(i.version, pr.version) AS version, i.title, i.abstract, i.authors, i.categories,
               i.published_at, i.url, COALESCE(i.upvotes, pr.upvotes, 0) AS upvotes, i.text_hash
        FROM incoming i LEFT JOIN previous pr ON pr.id = i.id
      ),
      written AS (
        INSERT INTO papers AS p (id, version, title, abstract, authors, categories, published_at, url, upvotes, text_hash)
        SELECT * FROM resolved
        ON CONFLICT (id) DO UPDATE SET
          version = excluded.version,
          title = excluded.title,
          abstract = excluded.abstract,
          authors = excluded.authors,
          categories = excluded.categories,
          published_at = excluded.published_at,
          url = excluded.url,
          upvotes = excluded.upvotes,
          text_hash = excluded.text_hash,
          updated_at = now()
        WHERE (excluded.version IS NULL OR p.version IS NULL OR excluded.version >= p.version)
          AND (p.version, p.title, p.abstract, p.authors, p.categories, p.published_at, p.url, p.upvotes)
            IS DISTINCT FROM (excluded.version, excluded.title, excluded.abstract, excluded.authors,
              excluded.categories, excluded.published_at, excluded.url, excluded.upvotes)
        RETURNING p.id, p.text_hash, (xmax = 0) AS created
      )
      SELECT w.id, w.created, (pr.text_hash IS DISTINCT FROM w.text_hash) AS text_changed
      FROM written w LEFT JOIN previous pr ON pr.id = w.id`,
      [JSON.stringify(records)],
    );
    const changedText = rows.filter((row) => !row.created && row.text_changed).map((row) => row.id);
    if (changedText.length > 0) {
      await manager.query(`DELETE FROM paper_embeddings WHERE paper_id = ANY($1)`, [changedText]);
    }
    const created = rows.filter((row) => row.created).length;
    return {
      created,
      updated: rows.length - created,
      unchanged: papers.length - rows.length,
      needsEmbedding: rows.filter((row) => row.created || row.text_changed).map((row) => row.id),
    };
  }

  async findById(id: string, spaceId: number | null): Promise<StoredPaper | null> {
    const rows: PaperRow[] = await this.dataSource.query(
      `SELECT ${PAPER_COLUMNS}, ${INDEXED('$2')} FROM papers p WHERE p.id = $1`,
      [id, spaceId],
    );
    return rows[0] ? toStoredPaper(rows[0]) : null;
  }

  /** Newest first, keyset-paginated on (published_at, id). Returns up to limit + 1 rows. */
  async listRecent(query: PaperListQuery, spaceId: number | null): Promise<StoredPaper[]> {
    const params: unknown[] = [spaceId, query.limit + 1];
    const where: string[] = [];
    if (query.date) {
      params.push(query.date);
      where.push(`p.published_at >= $${params.length}::date AND p.published_at < $${params.length}::date + 1`);
    }
    if (query.category) {
      params.push([query.category]);
      where.push(`p.categories @> $${params.length}::text[]`);
    }
    if (query.after) {
      params.push(query.after.publishedAt, query.after.id);
      where.push(`(p.published_at, p.id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    const rows: PaperRow[] = await this.dataSource.query(
      `SELECT ${PAPER_COLUMNS}, ${INDEXED('$1')} FROM papers p
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY p.published_at DESC, p.id DESC LIMIT $2`,
      params,
    );
    return rows.map(toStoredPaper);
  }

  /**
   * Nearest papers by cosine similarity through the space's HNSW index; the paper itself is
   * excluded. The space id and dimension are integers from our own table, inlined so the planner
   * can match the partial index.
   */
  async similar(id: string, space: { id: number; dimensions: number }, limit: number): Promise<SimilarPaper[]> {
    const cast = `::vector(${Number(space.dimensions)})`;
    const spaceId = Number(space.id);
    return this.dataSource.transaction(async (manager) => {
      // HNSW returns at most ef_search rows; leave room for the excluded paper itself.
      await manager.query(`SET LOCAL hnsw.ef_search = ${Math.max(40, (limit + 1) * 2)}`);
      const rows: (PaperRow & { distance: number })[] = await manager.query(
        `WITH target AS (
           SELECT embedding${cast} AS v FROM paper_embeddings WHERE paper_id = $1 AND space_id = ${spaceId}
         ),
         nearest AS (
           SELECT e.paper_id, e.embedding${cast} <=> (SELECT v FROM target) AS distance
           FROM paper_embeddings e
           WHERE e.space_id = ${spaceId}
           ORDER BY e.embedding${cast} <=> (SELECT v FROM target)
           LIMIT $2
         )
         SELECT ${PAPER_COLUMNS}, true AS indexed, n.distance
         FROM nearest n JOIN papers p ON p.id = n.paper_id
         WHERE n.paper_id <> $1
         ORDER BY n.distance, p.id
         LIMIT $3`,
        [id, limit + 1, limit],
      );
      return rows.map((row) => ({ paper: toStoredPaper(row), score: 1 - Number(row.distance) }));
    });
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
    const rows: { id: string; title: string; abstract: string; text_hash: string }[] = await this.dataSource.query(
      `SELECT p.id, p.title, p.abstract, p.text_hash FROM papers p WHERE ${where.join(' AND ')} ORDER BY p.id LIMIT $2`,
      params,
    );
    return rows.map((row) => ({ id: row.id, title: row.title, abstract: row.abstract, textHash: row.text_hash }));
  }

  /**
   * The current text hash of each of these papers (what an embed job's dedup key is made of),
   * shortest text first, so that embed jobs hold texts of similar length and batches pad little.
   */
  async embeddingKeys(ids: string[]): Promise<{ id: string; textHash: string }[]> {
    if (ids.length === 0) return [];
    const rows: { id: string; text_hash: string }[] = await this.dataSource.query(
      `SELECT id, text_hash FROM papers WHERE id = ANY($1) ORDER BY length(title) + length(abstract), id`,
      [ids],
    );
    return rows.map((row) => ({ id: row.id, textHash: row.text_hash }));
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
         SET text_hash = excluded.text_hash, embedding = excluded.embedding, created_at = now()
         WHERE paper_embeddings.text_hash <> excluded.text_hash
       RETURNING paper_id`,
      [spaceId, items.map((i) => i.paperId), items.map((i) => i.textHash), items.map((i) => toPgvector(i.vector))],
    );
    return rows.length;
  }
}
