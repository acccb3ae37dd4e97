import { normalizePushedBatch, normalizePushedPaper } from './pushed-paper';

const valid = {
  id: '2501.01234v2',
  title: ' A  title\n wrapped ',
  abstract: 'Some abstract.',
  authors: ['Ada Lovelace', ' Alan  Turing '],
  categories: ['cs.LG', 'stat.ML', 'cs.LG'],
  publishedAt: '2025-01-02T00:00:00Z',
};

describe('normalizePushedPaper', () => {
  it('splits the version, tidies text, defaults the arXiv url', () => {
    expect(normalizePushedPaper(valid)).toEqual({
      id: '2501.01234',
      version: 2,
      title: 'A title wrapped',
      abstract: 'Some abstract.',
      authors: ['Ada Lovelace', 'Alan Turing'],
      categories: ['cs.LG', 'stat.ML'],
      publishedAt: new Date('2025-01-02T00:00:00Z'),
      url: 'https://arxiv.org/abs/2501.01234',
      upvotes: null,
    });
  });

  it('keeps non-arXiv ids and gives them no url', () => {
    const paper = normalizePushedPaper({ ...valid, id: 'acl-2024-17' });
    expect(paper).toMatchObject({ id: 'acl-2024-17', version: null, url: null });
  });

  it.each([
    [{ ...valid, title: '   ' }, 'title is missing'],
    [{ ...valid, abstract: undefined }, 'abstract is missing'],
    [{ ...valid, publishedAt: 'yesterday' }, 'publishedAt is not a date'],
    [{ ...valid, authors: 'Ada' }, 'authors must be a list of names'],
    [null, 'not an object'],
  ])('rejects %j: %s', (raw, reason) => {
    expect(normalizePushedPaper(raw)).toBe(reason);
  });
});

describe('normalizePushedBatch', () => {
  it('rejects bad records one by one and keeps the rest', () => {
    const result = normalizePushedBatch([valid, { ...valid, id: '2501.09999', title: '' }, { ...valid, id: '2501.05555' }]);
    expect(result.papers.map((p) => p.id)).toEqual(['2501.01234', '2501.05555']);
    expect(result.rejections).toEqual([{ index: 1, id: '2501.09999', reason: 'title is missing' }]);
    expect(result.duplicates).toBe(0);
  });

  it('stores a paper given twice once, keeping the newest version', () => {
    const result = normalizePushedBatch([
      { ...valid, id: '2501.01234v3', title: 'third' },
      { ...valid, id: '2501.01234v1', title: 'first' },
    ]);
    expect(result.papers).toHaveLength(1);
    expect(result.papers[0]).toMatchObject({ version: 3, title: 'third' });
    expect(result.duplicates).toBe(1);
  });
});
