import { NormalizedPaper } from '@paperfeed/sources';
import { combineRecords, dedupeRecords, wins } from './dedupe';

const paper = (id: string, overrides: Partial<NormalizedPaper> = {}): NormalizedPaper => ({
  id,
  version: null,
  title: `Title of ${id}`,
  abstract: `Abstract of ${id}`,
  authors: ['Ada Lovelace'],
  categories: ['cs.LG'],
  publishedAt: new Date('2025-01-02T00:00:00Z'),
  url: null,
  upvotes: null,
  ...overrides,
});

const shape = (papers: NormalizedPaper[]) => dedupeRecords(papers).map((g) => ({ id: g.paper.id, ids: g.ids, members: g.members }));

describe('dedupeRecords: the in-batch rule', () => {
  it('keeps different papers apart, in order', () => {
    expect(shape([paper('2501.00001'), paper('2501.00002'), paper('acl-1')])).toEqual([
      { id: '2501.00001', ids: ['2501.00001'], members: [0] },
      { id: '2501.00002', ids: ['2501.00002'], members: [1] },
      { id: 'acl-1', ids: ['acl-1'], members: [2] },
    ]);
  });

  it('one id is one paper, keeping the newest version', () => {
    const [group, ...rest] = dedupeRecords([
      paper('2501.00001', { version: 3, title: 'third' }),
      paper('2501.00001', { version: 1, title: 'first' }),
    ]);
    expect(rest).toEqual([]);
    expect(group.paper).toMatchObject({ version: 3, title: 'third' });
    expect(group.members).toEqual([0, 1]);
  });

  it('else one DOI is one paper, under its arXiv id', () => {
    expect(shape([paper('acl-1', { doi: '10.1000/x' }), paper('2501.00001', { doi: '10.1000/x', version: 2 })])).toEqual([
      { id: '2501.00001', ids: ['acl-1', '2501.00001'], members: [0, 1] },
    ]);
  });

  it('else, for a record without an arXiv id, one title key is one paper', () => {
    expect(
      shape([
        paper('2501.00001', { title: 'Deep Nets!' }),
        paper('acl-1', { title: 'deep  nets' }),
        paper('feed:9', { title: 'DEEP-NETS' }),
      ]),
    ).toEqual([{ id: '2501.00001', ids: ['2501.00001', 'acl-1', 'feed:9'], members: [0, 1, 2] }]);
  });

  it('tells two records without an arXiv id apart by their ids, whatever their titles', () => {
    expect(shape([paper('acl-1', { title: 'Deep Nets' }), paper('acl-2', { title: 'deep nets' })])).toEqual([
      { id: 'acl-1', ids: ['acl-1'], members: [0] },
      { id: 'acl-2', ids: ['acl-2'], members: [1] },
    ]);
  });

  it('never matches a record with an arXiv id by title', () => {
    expect(
      shape([
        paper('acl-1', { title: 'Deep Nets' }),
        paper('2501.00001', { title: 'Deep Nets' }),
        paper('2501.00002', { title: 'Deep Nets' }),
      ]),
    ).toEqual([
      { id: 'acl-1', ids: ['acl-1'], members: [0] },
      { id: '2501.00001', ids: ['2501.00001'], members: [1] },
      { id: '2501.00002', ids: ['2501.00002'], members: [2] },
    ]);
  });

  it('the id comes before the DOI, the DOI before the title', () => {
    const groups = shape([
      paper('2501.00001', { doi: '10.1000/a', title: 'Alpha' }),
      paper('2501.00002', { doi: '10.1000/b', title: 'Beta' }),
      // Shares the id with the first, the DOI with the second: the id decides.
      paper('2501.00001', { doi: '10.1000/b' }),
      // Shares the DOI with the second, the title with the first: the DOI decides.
      paper('acl-1', { doi: '10.1000/b', title: 'alpha' }),
    ]);
    expect(groups).toEqual([
      { id: '2501.00001', ids: ['2501.00001'], members: [0, 2] },
      { id: '2501.00002', ids: ['2501.00002', 'acl-1'], members: [1, 3] },
    ]);
  });

  it('a later record matches the keys of every record already in a group', () => {
    // The second joins by id and brings a DOI; the third matches that DOI.
    expect(shape([paper('2501.00001'), paper('2501.00001', { doi: '10.1000/x' }), paper('acl-1', { doi: '10.1000/x' })])).toEqual([
      { id: '2501.00001', ids: ['2501.00001', 'acl-1'], members: [0, 1, 2] },
    ]);
  });
});

describe('combineRecords: as upsert combines a record with the stored paper', () => {
  it('the newest version wins the text; an unversioned record never replaces a versioned one', () => {
    expect(wins(paper('a', { version: 1 }), paper('a', { version: 2 }))).toBe(true);
    expect(wins(paper('a', { version: 2 }), paper('a', { version: 2 }))).toBe(true);
    expect(wins(paper('a', { version: 2 }), paper('a', { version: 1 }))).toBe(false);
    expect(wins(paper('a', { version: 2 }), paper('a', { version: null }))).toBe(false);
    expect(wins(paper('a', { version: null }), paper('a', { version: 1 }))).toBe(true);
    expect(wins(paper('a', { version: null }), paper('a', { version: null }))).toBe(true);
  });

  it('takes metadata from any record that says it, and keeps what the winner leaves empty', () => {
    const arxiv = paper('2501.00001', { version: 2, title: 'From arXiv', categories: ['cs.LG'], url: 'https://arxiv.org/abs/2501.00001' });
    const hf = paper('2501.00001', {
      title: 'From HF',
      categories: [],
      upvotes: 7,
      githubRepo: 'https://github.com/o/r',
      doi: '10.1000/x',
    });
    expect(combineRecords(arxiv, hf)).toMatchObject({
      id: '2501.00001',
      version: 2,
      title: 'From arXiv',
      categories: ['cs.LG'],
      url: 'https://arxiv.org/abs/2501.00001',
      upvotes: 7,
      githubRepo: 'https://github.com/o/r',
      doi: '10.1000/x',
    });
    expect(combineRecords(hf, arxiv)).toMatchObject({
      id: '2501.00001',
      version: 2,
      title: 'From arXiv',
      categories: ['cs.LG'],
      upvotes: 7,
      doi: '10.1000/x',
    });
  });
});
