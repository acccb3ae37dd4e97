import { EmbeddingSpacesStore, PapersStore, UpvotesStore, UsersStore } from '@paperfeed/db';
import { startTestDatabase, TestDatabase } from '../../../test/support/database';
import { normalizedPaper } from '../../../test/support/papers';
import { CorpusIndex, topK } from './corpus-index';

const paper = normalizedPaper;

describe('CorpusIndex (PGlite + pgvector)', () => {
  let db: TestDatabase;
  let papers: PapersStore;
  let index: CorpusIndex;
  let spaceId: number;

  const embed = async (ids: string[]) => {
    const keys = await papers.embeddingKeys(ids);
    await papers.storeEmbeddings(
      spaceId,
      keys.map((k) => ({ paperId: k.id, textHash: k.textHash, vector: [1, 0, 0] })),
    );
  };

  beforeAll(async () => {
    db = await startTestDatabase();
    papers = new PapersStore(db.dataSource);
    spaceId = (await new EmbeddingSpacesStore(db.dataSource).ensure('test-model@fp32', 3)).id;
    index = new CorpusIndex(papers);
  });

  afterAll(() => db.stop());

  it('holds the embedded papers and follows every change on the next use', async () => {
    await papers.upsert([paper('a'), paper('b'), paper('c')]);
    await embed(['a', 'b']);
    let corpus = await index.current(spaceId);
    expect([...corpus.papers.keys()].sort()).toEqual(['a', 'b']);
    const first = corpus.through;

    // A paper embedded since: in, and new to any fold that read up to `first`.
    await embed(['c']);
    corpus = await index.current(spaceId);
    expect(corpus.papers.get('c')!.vectorSeq).toBeGreaterThan(first);
    expect(corpus.papers.get('a')!.vectorSeq).toBeLessThanOrEqual(first);

    // An upvote changes the paper (its score), not its vector.
    const users = new UsersStore(db.dataSource);
    const user = await users.create('voter');
    const before = corpus.papers.get('a')!.paper.trendingScore;
    await new UpvotesStore(db.dataSource, papers).set(user.id, 'a', true);
    corpus = await index.current(spaceId);
    expect(corpus.papers.get('a')!.paper.upvotes).toBe(1);
    expect(corpus.papers.get('a')!.paper.trendingScore).toBeGreaterThan(before);
    expect(corpus.papers.get('a')!.vectorSeq).toBeLessThanOrEqual(first);
    expect(corpus.trending()[0].paper.id).toBe('a');

    // A changed text drops the stale vector: out of the index until embedded again.
    await papers.upsert([paper('b', { title: 'A new title' })]);
    corpus = await index.current(spaceId);
    expect(corpus.papers.has('b')).toBe(false);
    await embed(['b']);
    corpus = await index.current(spaceId);
    expect(corpus.papers.get('b')!.paper.title).toBe('A new title');
    expect(
      corpus
        .newest()
        .map((entry) => entry.paper.id)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
  });

  it('reads nothing more when nothing changed', async () => {
    const corpus = await index.current(spaceId);
    const again = await index.current(spaceId);
    expect(again.through).toBe(corpus.through);
    expect(again.papers.get('a')).toBe(corpus.papers.get('a')); // the same entry object: not re-read
  });
});

describe('topK', () => {
  it('keeps the k largest, largest first, in any input order', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    expect(topK(values, 5, (v) => v)).toEqual([999, 998, 997, 996, 995]);
    expect(topK([3, 1, 2], 5, (v) => v)).toEqual([3, 2, 1]);
    expect(topK([], 3, (v: number) => v)).toEqual([]);
  });
});
