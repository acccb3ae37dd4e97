import { PapersStore } from '@paperfeed/db';
import { QueueService } from '@paperfeed/queue';
import { NormalizedPaper } from '@paperfeed/sources';
import { startTestDatabase, TestDatabase } from '../../../test/support/database';
import { normalizedPaper } from '../../../test/support/papers';
import { PaperIngest } from './paper-ingest';

/** The lexical representation kept beside every paper (issue 13): paper_terms rows and lexicon df. */
describe('PaperIngest: term counts and document frequencies', () => {
  let db: TestDatabase;
  let papers: PapersStore;
  let ingest: PaperIngest;

  beforeAll(async () => {
    db = await startTestDatabase();
    papers = new PapersStore(db.dataSource);
    ingest = new PaperIngest(papers, {} as QueueService, 'test-model@fp32');
  });

  afterAll(() => db.stop());

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE papers, lexicon CASCADE');
  });

  const store = (batch: NormalizedPaper[]) => db.dataSource.transaction((manager) => ingest.store(batch, manager));
  const paper = (id: string, title: string, abstract: string) => normalizedPaper(id, { title, abstract });

  /** Each paper's terms with their counts, as words. */
  const termsOf = async (): Promise<Record<string, Record<string, number>>> => {
    const rows: { paper_id: string; term: string; count: number }[] = await db.dataSource.query(
      `SELECT t.paper_id, l.term, u.count FROM paper_terms t, unnest(t.term_ids, t.counts) AS u(id, count) JOIN lexicon l ON l.id = u.id`,
    );
    const out: Record<string, Record<string, number>> = {};
    for (const row of rows) (out[row.paper_id] ??= {})[row.term] = row.count;
    return out;
  };
  /** df of every term that has a paper. */
  const dfs = async (): Promise<Record<string, number>> => {
    const rows: { term: string; df: number }[] = await db.dataSource.query(`SELECT term, df FROM lexicon WHERE df <> 0`);
    return Object.fromEntries(rows.map((row) => [row.term, row.df]));
  };

  it('stores each new paper’s counts (title twice, stemmed, stop words out, ids ascending) and its terms’ df', async () => {
    await store([paper('p1', 'Graph networks', 'We study sparse graphs.'), paper('p2', 'Dense retrieval', 'Retrieval with graph models.')]);
    expect(await termsOf()).toEqual({
      p1: { graph: 3, network: 2, study: 1, sparse: 1 },
      p2: { dense: 2, retrieval: 3, graph: 1, model: 1 },
    });
    expect(await dfs()).toEqual({ graph: 2, network: 1, study: 1, sparse: 1, dense: 1, retrieval: 1, model: 1 });
    const rows: { term_ids: number[] }[] = await db.dataSource.query(`SELECT term_ids FROM paper_terms`);
    for (const { term_ids } of rows) expect(term_ids).toEqual([...term_ids].sort((a, b) => a - b));
    // the GIN index answers "papers sharing any of these terms"
    const [{ id }]: { id: number }[] = await db.dataSource.query(`SELECT id FROM lexicon WHERE term = 'network'`);
    expect(await db.dataSource.query(`SELECT paper_id FROM paper_terms WHERE term_ids && $1::int[]`, [[id]])).toEqual([{ paper_id: 'p1' }]);
  });

  it('moves df from the old text’s terms to the new one’s when a text changes, and back (A → B → A)', async () => {
    const a = paper('p1', 'Graph networks', 'Sparse graphs.');
    const b = paper('p1', 'Protein folding', 'Sparse proteins.');
    await store([a, paper('p2', 'Graph search', 'Beam search.')]);
    const first = { terms: await termsOf(), df: await dfs() };
    await store([b]);
    expect((await termsOf()).p1).toEqual({ protein: 3, folding: 2, sparse: 1 });
    expect(await dfs()).toEqual({ graph: 1, search: 1, beam: 1, protein: 1, folding: 1, sparse: 1 });
    await store([a]);
    expect({ terms: await termsOf(), df: await dfs() }).toEqual(first);
  });

  it('rewrites nothing when a paper comes again with the same text', async () => {
    await store([paper('p1', 'Graph networks', 'Sparse graphs.')]);
    const before = await db.dataSource.query(`SELECT xmin::text AS x FROM paper_terms UNION ALL SELECT xmin::text FROM lexicon`);
    await store([{ ...paper('p1', 'Graph networks', 'Sparse graphs.'), upvotes: 9 }]);
    expect(await db.dataSource.query(`SELECT xmin::text AS x FROM paper_terms UNION ALL SELECT xmin::text FROM lexicon`)).toEqual(before);
    expect(await papers.indexTerms(['p1'])).toBe(0);
  });

  it('gives a paper with no content word an empty row, and takes a deleted paper out of df', async () => {
    await store([paper('p1', 'On the', 'Of it.'), paper('p2', 'Graph networks', 'Graphs.')]);
    expect(await db.dataSource.query(`SELECT paper_id, term_ids FROM paper_terms WHERE paper_id = 'p1'`)).toEqual([
      { paper_id: 'p1', term_ids: [] },
    ]);
    await db.dataSource.query(`DELETE FROM papers WHERE id = 'p2'`);
    expect(await dfs()).toEqual({});
  });

  it('fills in the rows of papers stored without them (reconcile), page by page', async () => {
    await store([paper('p1', 'Graph networks', 'Sparse graphs.'), paper('p2', 'Graph search', 'Beam search.')]);
    const expected = { terms: await termsOf(), df: await dfs() };
    await db.dataSource.query('TRUNCATE paper_terms, lexicon');
    expect(await papers.missingTerms({ limit: 1 })).toEqual(['p1']);
    expect(await papers.missingTerms({ limit: 10, afterId: 'p1' })).toEqual(['p2']);
    expect(await papers.indexTerms(['p1'])).toBe(1);
    expect(await papers.indexTerms(['p1', 'p2'])).toBe(1);
    expect(await papers.missingTerms({ limit: 10 })).toEqual([]);
    expect({ terms: await termsOf(), df: await dfs() }).toEqual(expected);
  });
});
