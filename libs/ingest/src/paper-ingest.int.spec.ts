import { HarvestsStore, PapersStore } from '@paperfeed/db';
import { QueueService } from '@paperfeed/queue';
import { HarvestCursor, ParsedRecord, parseOaiListRecords } from '@paperfeed/sources';
import { startTestDatabase, TestDatabase } from '../../../test/support/database';
import { normalizedPaper } from '../../../test/support/papers';
import { IngestRecord, PaperIngest } from './paper-ingest';
import { PushedPaper, normalizePushedPaper } from './pushed-paper';

/** A pushed paper as the api stages it. */
const pushed = (id: string, overrides: Partial<PushedPaper> = {}): PushedPaper => ({
  id,
  title: `Title ${id}`,
  abstract: `Abstract of ${id}`,
  authors: ['Ada Lovelace'],
  publishedAt: '2025-01-02T00:00:00Z',
  ...overrides,
});

/** A record of a harvested page, as the parsers give it. */
const harvested = (id: string, overrides: Parameters<typeof normalizedPaper>[1] = {}): ParsedRecord => ({
  ok: true,
  paper: normalizedPaper(id, overrides),
});

describe('PaperIngest: one path for pushed batches and harvested pages', () => {
  let db: TestDatabase;
  let papers: PapersStore;
  let harvests: HarvestsStore;
  let ingest: PaperIngest;

  beforeAll(async () => {
    db = await startTestDatabase();
    papers = new PapersStore(db.dataSource);
    harvests = new HarvestsStore(db.dataSource);
    // store() never touches the queues; queueEmbedding is tested by the e2e tests.
    ingest = new PaperIngest(papers, {} as QueueService, 'test-model@fp32');
  });

  afterAll(() => db.stop());

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE papers, harvests CASCADE');
  });

  /** Stores a pushed batch the way IngestProcessor does: one transaction. */
  const push = (batch: unknown[]) =>
    db.dataSource.transaction((manager) =>
      ingest.store(
        batch.map((raw): IngestRecord => {
          const paper = normalizePushedPaper(raw);
          return typeof paper === 'string' ? { ok: false, reason: paper } : paper;
        }),
        manager,
      ),
    );

  /** Stores one page of a new harvest the way HarvestProcessor does; returns the page's counts. */
  const harvestPage = async (records: ParsedRecord[], from: HarvestCursor = {}, next: HarvestCursor | null = null, harvestId?: string) => {
    const id = harvestId ?? (await harvests.create({ source: 'rss', url: 'https://example.org/feed' }));
    const stored = await harvests.storePage(id, from, next, (manager) => ingest.store(records, manager));
    return { id, stored };
  };

  const rows = () =>
    db.dataSource.query(`SELECT id, version, title, doi, title_key, source_upvotes, categories FROM papers ORDER BY id`) as Promise<
      {
        id: string;
        version: number | null;
        title: string;
        doi: string | null;
        title_key: string;
        source_upvotes: number;
        categories: string[];
      }[]
    >;

  it('a paper pushed and then harvested is one record; the newer version wins the text', async () => {
    expect((await push([pushed('2501.00001v1', { title: 'Pushed v1', doi: 'https://doi.org/10.1000/ABC', upvotes: 4 })])).counts).toEqual({
      received: 1,
      created: 1,
      updated: 0,
      unchanged: 0,
      rejected: 0,
    });
    const { stored } = await harvestPage([harvested('2501.00001', { version: 2, title: 'Harvested v2', doi: null })]);
    expect(stored?.counts).toEqual({ received: 1, created: 0, updated: 1, unchanged: 0, rejected: 0 });
    expect(stored?.needsEmbedding.map((k) => k.id)).toEqual(['2501.00001']);
    expect(await rows()).toEqual([
      {
        id: '2501.00001',
        version: 2,
        title: 'Harvested v2',
        doi: '10.1000/abc',
        title_key: 'harvested v2',
        source_upvotes: 4,
        categories: ['cs.LG'],
      },
    ]);
    // The same push again: an older version changes nothing.
    expect((await push([pushed('2501.00001v1', { title: 'Pushed v1', doi: '10.1000/abc', upvotes: 4 })])).counts).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 1,
    });
  });

  it('a paper harvested and then pushed is the same one record', async () => {
    await harvestPage([harvested('2501.00001', { version: 2, title: 'Harvested v2' })]);
    const outcome = await push([pushed('2501.00001', { title: 'Pushed, no version', upvotes: 9 })]);
    expect(outcome.counts).toMatchObject({ created: 0, updated: 1 });
    expect(outcome.needsEmbedding).toEqual([]);
    expect(await rows()).toEqual([
      {
        id: '2501.00001',
        version: 2,
        title: 'Harvested v2',
        doi: null,
        title_key: 'harvested v2',
        source_upvotes: 9,
        categories: ['cs.LG'],
      },
    ]);
  });

  it('matched by DOI only: the record takes the stored id', async () => {
    await push([pushed('acl-2024-17', { title: 'A venue title', doi: '10.18653/v1/2024.acl-long.17' })]);
    const { stored } = await harvestPage([
      harvested('2501.00002', { version: 1, title: 'The arXiv title', doi: '10.18653/V1/2024.ACL-LONG.17' }),
    ]);
    expect(stored?.counts).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    // The versioned arXiv record wins the text over the unversioned push; the id stays the stored one.
    expect(await rows()).toEqual([
      {
        id: 'acl-2024-17',
        version: 1,
        title: 'The arXiv title',
        doi: '10.18653/v1/2024.acl-long.17',
        title_key: 'the arxiv title',
        source_upvotes: 0,
        categories: ['cs.LG'],
      },
    ]);
    expect(await papers.findById('2501.00002', null)).toBeNull();
  });

  it('matched by title only, for a record without an arXiv id', async () => {
    await harvestPage([harvested('2501.00003', { version: 1, title: 'Deep Nets for Graphs' })]);
    const outcome = await push([pushed('feed:abc', { title: '  deep nets, for GRAPHS! ', upvotes: 3, doi: '10.1000/dn' })]);
    expect(outcome.counts).toMatchObject({ created: 0, updated: 1 });
    expect(await rows()).toEqual([
      {
        id: '2501.00003',
        version: 1,
        title: 'Deep Nets for Graphs',
        doi: '10.1000/dn',
        title_key: 'deep nets for graphs',
        source_upvotes: 3,
        categories: ['cs.LG'],
      },
    ]);
    // Two records without an arXiv id are told apart by their ids, whatever their titles.
    await push([pushed('venue-1', { title: 'Same words' })]);
    expect((await push([pushed('venue-2', { title: 'same words' })])).counts).toMatchObject({ created: 1 });
    await db.dataSource.query(`DELETE FROM papers WHERE id LIKE 'venue-%'`);
    // A record with an arXiv id is never matched by title: another arXiv paper of the same title is new.
    const { stored } = await harvestPage([harvested('2501.00004', { title: 'Deep nets for graphs' })]);
    expect(stored?.counts).toMatchObject({ created: 1, updated: 0 });
    expect((await rows()).map((r) => r.id)).toEqual(['2501.00003', '2501.00004']);
  });

  it('dedupes within a batch by the same rule and counts the extra records as unchanged', async () => {
    const outcome = await push([
      pushed('2501.00005v1', { title: 'Graph Transformers', doi: '10.1000/gt' }),
      pushed('acl-9', { title: 'Another venue title', doi: '10.1000/GT', upvotes: 2 }),
      pushed('feed:9', { title: 'graph transformers' }),
      pushed('2501.00005v2', { title: 'Graph Transformers v2' }),
      pushed('2501.00006', { title: '' }),
    ]);
    expect(outcome.counts).toEqual({ received: 5, created: 1, updated: 0, unchanged: 3, rejected: 1 });
    expect(outcome.rejections).toEqual([{ index: 4, reason: 'title is missing' }]);
    expect(await rows()).toEqual([
      {
        id: '2501.00005',
        version: 2,
        title: 'Graph Transformers v2',
        doi: '10.1000/gt',
        title_key: 'graph transformers v2',
        source_upvotes: 2,
        categories: [],
      },
    ]);
  });

  it('two records of a page that turn out to be one stored paper are stored once', async () => {
    await push([pushed('acl-1', { title: 'Stored', doi: '10.1000/one' })]);
    // The first matches the stored paper by DOI, the second by id.
    const { stored } = await harvestPage([
      harvested('2501.00007', { version: 1, title: 'Arxiv text', doi: '10.1000/one' }),
      harvested('acl-1', { version: null, upvotes: 5, title: 'Stored' }),
    ]);
    expect(stored?.counts).toEqual({ received: 2, created: 0, updated: 1, unchanged: 1, rejected: 0 });
    expect(await rows()).toEqual([
      {
        id: 'acl-1',
        version: 1,
        title: 'Arxiv text',
        doi: '10.1000/one',
        title_key: 'arxiv text',
        source_upvotes: 5,
        categories: ['cs.LG'],
      },
    ]);
  });

  it('a page is stored once, with its counts and cursor, or not at all', async () => {
    const page = [
      harvested('2501.00008'),
      { ok: false as const, id: 'x', reason: 'deleted at the source' },
      harvested('2501.00008', { title: 'Repeat' }),
    ];
    const { id, stored } = await harvestPage(page, {}, { start: 3 });
    expect(stored?.counts).toEqual({ received: 3, created: 1, updated: 0, unchanged: 1, rejected: 1 });
    // The same page again (a retry after a crash): the cursor moved on, nothing is stored.
    expect((await harvestPage(page, {}, { start: 3 }, id)).stored).toBeNull();
    const harvest = await harvests.get(id);
    expect(harvest).toMatchObject({
      cursor: { start: 3 },
      pages: 1,
      counts: { received: 3, created: 1, updated: 0, unchanged: 1, rejected: 1 },
    });
    expect(harvest?.rejections).toEqual([{ id: 'x', reason: 'deleted at the source' }]);
    // A failure while storing leaves neither papers nor cursor.
    await expect(
      harvests.storePage(id, { start: 3 }, null, async (manager) => {
        await ingest.store([harvested('2501.00009')], manager);
        throw new Error('crash');
      }),
    ).rejects.toThrow('crash');
    expect((await rows()).map((r) => r.id)).toEqual(['2501.00008']);
    expect(await harvests.get(id)).toMatchObject({ cursor: { start: 3 }, pages: 1 });
  });

  it('stores an OAI-PMH page with its DOIs, and recognises its papers pushed again by DOI', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { SHARED_DIR } = await import('../../../tools/arxiv-data');
    const xml = fs.readFileSync(path.join(SHARED_DIR, 'data', 'fixtures', 'oai_listrecords_arXiv_hep-th_2017_hepcrawl.xml'), 'utf8');
    const { stored } = await harvestPage(parseOaiListRecords(xml).records);
    expect(stored?.counts).toMatchObject({ received: 3, created: 3 });
    const outcome = await push([pushed('journal-1', { title: 'Journal version', doi: 'doi:10.1088/1751-8121/AA9C53' })]);
    // OAI-PMH's arXiv format gives no version: with neither side versioned, the later record's text wins.
    expect(outcome.counts).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    expect((await rows()).map((r) => [r.id, r.doi, r.title])).toEqual([
      ['1412.8323', null, expect.any(String)],
      ['1507.07790', '10.1088/1751-8121/aa9c53', 'Journal version'],
      ['1607.01710', '10.1002/andp.201700188', expect.any(String)],
    ]);
  });
});
