import { startTestDatabase, TestDatabase } from '../../../test/support/database';
import { normalizedPaper } from '../../../test/support/papers';
import { EmbeddingSpacesStore } from './embedding-spaces.store';
import { PAPER_SORTS, PapersStore, sortKey } from './papers.store';
import { UpvotesStore } from './upvotes.store';
import { UsersStore } from './users.store';

const paper = normalizedPaper;

/** A unit vector in `dims` dimensions pointing mostly along `axis`. */
function direction(axis: number, dims: number, tilt = 0): number[] {
  const v: number[] = Array.from({ length: dims }, (_, i) => (i === axis ? 1 : 0));
  v[(axis + 1) % dims] = tilt;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

describe('PapersStore (PGlite + pgvector)', () => {
  let db: TestDatabase;
  let store: PapersStore;
  let spaces: EmbeddingSpacesStore;

  beforeAll(async () => {
    db = await startTestDatabase();
    store = new PapersStore(db.dataSource);
    spaces = new EmbeddingSpacesStore(db.dataSource);
  });

  afterAll(() => db.stop());

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE papers, users CASCADE');
  });

  it('counts created, updated and unchanged papers', async () => {
    expect(await store.upsert([paper('2501.00001'), paper('2501.00002')])).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
    const again = await store.upsert([paper('2501.00001'), paper('2501.00002', { title: 'New title' })]);
    expect(again).toMatchObject({
      created: 0,
      updated: 1,
      unchanged: 1,
      needsEmbedding: [{ id: '2501.00002', textHash: expect.any(String) }],
    });
    const rows = await db.dataSource.query(`SELECT count(*)::int AS n FROM papers`);
    expect(rows[0].n).toBe(2);
  });

  it('keeps a newer version when an older one arrives later', async () => {
    await store.upsert([paper('2501.00001', { version: 3, title: 'v3' })]);
    const outcome = await store.upsert([paper('2501.00001', { version: 1, title: 'v1' })]);
    expect(outcome).toMatchObject({ updated: 0, unchanged: 1 });
    expect((await store.findById('2501.00001', null))?.title).toBe('v3');
  });

  it('never lets an unversioned record replace the text of a versioned one, yet takes its metadata', async () => {
    await store.upsert([paper('2501.00001', { version: 2, title: 'From arXiv', categories: ['cs.LG'] })]);
    // Hugging Face (no version, no categories) brings upvotes and code, and a reworded title.
    const outcome = await store.upsert([
      paper('2501.00001', { version: null, title: 'From Hugging Face', categories: [], upvotes: 7, githubRepo: 'https://github.com/o/r' }),
    ]);
    expect(outcome).toMatchObject({ updated: 1, needsEmbedding: [] });
    const [row] = await db.dataSource.query(
      `SELECT title, version, categories, source_upvotes, github_repo, text_version FROM papers WHERE id = '2501.00001'`,
    );
    expect(row).toEqual({
      title: 'From arXiv',
      version: 2,
      categories: ['cs.LG'],
      source_upvotes: 7,
      github_repo: 'https://github.com/o/r',
      text_version: 1,
    });
    // Without a version on either side, the latest record wins.
    await store.upsert([paper('feed:1', { version: null, title: 'First' })]);
    await store.upsert([paper('feed:1', { version: null, title: 'Second' })]);
    expect((await store.findById('feed:1', null))?.title).toBe('Second');
  });

  it('counts text changes, so a text that comes back (A → B → A) has a new text version', async () => {
    const versions: number[] = [];
    for (const title of ['A', 'B', 'A']) {
      const { needsEmbedding } = await store.upsert([paper('2501.00009', { title })]);
      versions.push(needsEmbedding[0].textVersion);
    }
    expect(versions).toEqual([1, 2, 3]);
    expect((await store.embeddingKeys(['2501.00009']))[0].textVersion).toBe(3);
  });

  it('leaves stored upvotes alone when a source does not know them', async () => {
    await store.upsert([paper('2501.00001', { upvotes: 12 })]);
    expect(await store.upsert([paper('2501.00001', { upvotes: null })])).toMatchObject({ unchanged: 1 });
    expect((await store.findById('2501.00001', null))?.upvotes).toBe(12);
  });

  it('stores a vector only for the text it was computed from, and drops it when the text changes', async () => {
    const space = await spaces.ensure('test-model@fp32', 4);
    await store.upsert([paper('2501.00001')]);
    const [todo] = await store.missingEmbeddings(space.id, { limit: 10 });
    expect(todo.id).toBe('2501.00001');

    expect(await store.storeEmbeddings(space.id, [{ paperId: todo.id, textHash: 'stale-hash', vector: direction(0, 4) }])).toBe(0);
    expect(await store.storeEmbeddings(space.id, [{ paperId: todo.id, textHash: todo.textHash, vector: direction(0, 4) }])).toBe(1);
    expect((await store.findById('2501.00001', space.id))?.indexed).toBe(true);
    expect(await store.missingEmbeddings(space.id, { limit: 10 })).toEqual([]);

    // Same text again: nothing to redo. Changed abstract: the vector is gone, the paper waits.
    expect((await store.upsert([paper('2501.00001', { upvotes: 3 })])).needsEmbedding).toEqual([]);
    expect((await store.findById('2501.00001', space.id))?.indexed).toBe(true);
    await store.upsert([paper('2501.00001', { abstract: 'A different abstract' })]);
    expect((await store.findById('2501.00001', space.id))?.indexed).toBe(false);
    expect((await store.missingEmbeddings(space.id, { limit: 10 })).map((p) => p.id)).toEqual(['2501.00001']);
  });

  it('finds nearest papers in the HNSW index, most similar first, never the paper itself', async () => {
    const space = await spaces.ensure('test-model@fp32', 4);
    const ids = ['2501.00001', '2501.00002', '2501.00003', '2501.00004'];
    await store.upsert(ids.map((id) => paper(id)));
    const keys = await store.embeddingKeys(ids);
    const vectors = [direction(0, 4), direction(0, 4, 0.2), direction(0, 4, 0.6), direction(2, 4)];
    await store.storeEmbeddings(
      space.id,
      keys.map((k, i) => ({ paperId: k.id, textHash: k.textHash, vector: vectors[i] })),
    );

    const similar = await store.similar('2501.00001', space, 10);
    expect(similar.map((s) => s.paper.id)).toEqual(['2501.00002', '2501.00003', '2501.00004']);
    expect(similar[0].score).toBeGreaterThan(similar[1].score);
    expect(similar[1].score).toBeGreaterThan(similar[2].score);
    expect(similar[0].score).toBeCloseTo(1 / Math.hypot(1, 0.2), 5);
    expect(await store.similar('2501.00001', space, 1)).toHaveLength(1);

    // With four rows the planner would scan; forbid scans to see that the query shape matches the index.
    const plan: { 'QUERY PLAN': string }[] = await db.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      await m.query('SET LOCAL enable_bitmapscan = off');
      return m.query(
        `EXPLAIN SELECT paper_id FROM paper_embeddings WHERE space_id = ${space.id}
         ORDER BY embedding::vector(4) <=> '[1,0,0,0]' LIMIT 5`,
      );
    });
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/paper_embeddings_hnsw_space_/);
  });

  it('keeps two models apart: each space has its own dimension and its own results', async () => {
    const small = await spaces.ensure('model-a@q8', 4);
    const large = await spaces.ensure('model-b@q8', 6);
    expect(large.id).not.toBe(small.id);
    await expect(spaces.ensure('model-a@q8', 5)).rejects.toThrow(/has 4 dimensions, not 5/);
    await store.upsert([paper('2501.00001'), paper('2501.00002')]);
    const keys = await store.embeddingKeys(['2501.00001', '2501.00002']);
    await store.storeEmbeddings(
      small.id,
      keys.map((k) => ({ paperId: k.id, textHash: k.textHash, vector: direction(0, 4) })),
    );
    expect((await store.findById('2501.00001', large.id))?.indexed).toBe(false);
    expect(await store.missingEmbeddings(large.id, { limit: 10 })).toHaveLength(2);
    await store.storeEmbeddings(
      large.id,
      keys.map((k) => ({ paperId: k.id, textHash: k.textHash, vector: direction(1, 6) })),
    );
    expect((await store.similar('2501.00001', large, 5)).map((s) => s.paper.id)).toEqual(['2501.00002']);
  });

  it.each(PAPER_SORTS)('pages by %s without repeating or skipping, across equal keys', async (sort) => {
    const papers = Array.from({ length: 25 }, (_, i) =>
      paper(`2501.${String(i).padStart(5, '0')}`, { publishedAt: new Date(Date.UTC(2025, 0, 1 + (i % 3))), upvotes: i % 4 }),
    );
    await store.upsert(papers);
    const seen: string[] = [];
    let after: { key: string | number; id: string } | undefined;
    for (;;) {
      const rows = await store.list({ sort, limit: 7, after }, null);
      const page = rows.slice(0, 7);
      seen.push(...page.map((p) => p.id));
      if (rows.length <= 7) break;
      const last = page[page.length - 1];
      after = { key: sortKey(last, sort), id: last.id };
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const all = await store.list({ sort, limit: 100 }, null);
    expect(seen).toEqual(all.map((p) => p.id));
    const keys = all.map((p) => sortKey(p, sort));
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
  });

  it('ranks trending by the decayed sum of upvotes: recent votes lift an older paper', async () => {
    const users = new UsersStore(db.dataSource);
    const upvotes = new UpvotesStore(db.dataSource, store);
    await store.upsert([
      paper('2501.00001', { publishedAt: new Date('2025-01-01T00:00:00Z') }),
      paper('2501.00002', { publishedAt: new Date('2025-01-02T00:00:00Z') }),
    ]);
    expect((await store.list({ sort: 'trending', limit: 2 }, null)).map((p) => p.id)).toEqual(['2501.00002', '2501.00001']);
    for (let i = 0; i < 3; i++) {
      const { id } = await users.create(`voter ${i}`);
      await upvotes.set(id, '2501.00001', true);
    }
    expect((await store.list({ sort: 'trending', limit: 2 }, null)).map((p) => p.id)).toEqual(['2501.00001', '2501.00002']);
    expect((await store.list({ sort: 'upvotes', limit: 2 }, null)).map((p) => [p.id, p.upvotes])).toEqual([
      ['2501.00001', 3],
      ['2501.00002', 0],
    ]);
  });

  it('counts exactly one upvote per user under concurrency, and withdraws it', async () => {
    const users = new UsersStore(db.dataSource);
    const upvotes = new UpvotesStore(db.dataSource, store);
    await store.upsert([paper('2501.00001', { upvotes: 5 })]);
    const voters = await Promise.all(Array.from({ length: 100 }, (_, i) => users.create(`u${i}`)));
    await Promise.all(voters.flatMap(({ id }) => [upvotes.set(id, '2501.00001', true), upvotes.set(id, '2501.00001', true)]));
    expect((await store.findById('2501.00001', null))?.upvotes).toBe(105);
    expect(await upvotes.set(voters[0].id, '2501.00001', false)).toBe(104);
    expect(await upvotes.set(voters[0].id, '2501.00001', false)).toBe(104);
    expect(await upvotes.set(voters[0].id, '2501.99999', true)).toBeNull();
    const stored = await db.dataSource.query(`SELECT count(*)::int AS n FROM paper_upvotes`);
    expect(stored[0].n).toBe(99);
  });

  it('filters by UTC day and category', async () => {
    await store.upsert([
      paper('2501.00001', { publishedAt: new Date('2025-01-02T23:59:59Z'), categories: ['cs.CL'] }),
      paper('2501.00002', { publishedAt: new Date('2025-01-03T00:00:00Z') }),
      paper('2501.00003', { publishedAt: new Date('2025-01-02T00:00:00Z'), categories: ['cs.LG', 'cs.CL'] }),
    ]);
    const day = await store.list({ sort: 'recent', limit: 10, date: '2025-01-02' }, null);
    expect(day.map((p) => p.id)).toEqual(['2501.00001', '2501.00003']);
    const cl = await store.list({ sort: 'recent', limit: 10, category: 'cs.CL' }, null);
    expect(cl.map((p) => p.id).sort()).toEqual(['2501.00001', '2501.00003']);
  });
});
