import { normalizeDoi, NormalizedPaper, titleKey } from '@paperfeed/sources';
import { normalizeRecord } from './normalize';
import { normalizePushedPaper } from './pushed-paper';

const record = (overrides: Partial<NormalizedPaper> = {}): NormalizedPaper => ({
  id: '2501.01234',
  version: 1,
  title: 'A title',
  abstract: 'An abstract.',
  authors: ['Ada Lovelace'],
  categories: ['cs.LG'],
  publishedAt: new Date('2025-01-02T00:00:00Z'),
  url: 'https://arxiv.org/abs/2501.01234',
  upvotes: null,
  ...overrides,
});

describe('titleKey', () => {
  it('lower-cases, keeps letters and digits, collapses the rest to single spaces', () => {
    expect(titleKey('Attention Is All You Need!')).toBe('attention is all you need');
    expect(titleKey('  attention   is all\nyou need ')).toBe('attention is all you need');
    expect(titleKey('BERT: Pre-training of Deep  Bidirectional Transformers (v2)')).toBe(
      'bert pre training of deep bidirectional transformers v2',
    );
  });

  it('drops accents and keeps non-Latin letters', () => {
    expect(titleKey('Schrödinger’s Équation')).toBe('schrodinger s equation');
    expect(titleKey('深度学习 — 综述')).toBe('深度学习 综述');
  });

  it('is null when nothing is left', () => {
    expect(titleKey(' -- ?! ')).toBeNull();
  });
});

describe('normalizeDoi', () => {
  it('drops resolver prefixes and lower-cases', () => {
    expect(normalizeDoi('10.1103/PhysRevD.78.083502')).toBe('10.1103/physrevd.78.083502');
    expect(normalizeDoi(' https://doi.org/10.1063/1.4944470 ')).toBe('10.1063/1.4944470');
    expect(normalizeDoi('http://dx.doi.org/10.1063/1.4944470')).toBe('10.1063/1.4944470');
    expect(normalizeDoi('doi:10.1051/0004-6361:20078780')).toBe('10.1051/0004-6361:20078780');
  });

  it.each(['', '11.1000/x', '10.12/x', '10.1000/', '10.1000/a b', 'not a doi'])('refuses %j', (raw) => {
    expect(normalizeDoi(raw)).toBeNull();
  });
});

describe('normalizeRecord (every source)', () => {
  it('splits a version off the id, tidies text, normalises the DOI', () => {
    expect(
      normalizeRecord(
        record({
          id: '2501.01234v3',
          version: null,
          title: ' A \n title ',
          authors: [' Ada  Lovelace ', ''],
          categories: ['cs.LG; stat.ML'],
          doi: 'DOI:10.1000/ABC',
        }),
      ),
    ).toEqual({
      ...record(),
      version: 3,
      title: 'A title',
      authors: ['Ada Lovelace'],
      categories: ['cs.LG', 'stat.ML'],
      doi: '10.1000/abc',
    });
  });

  it('keeps a given version and leaves no doi key when there is none', () => {
    const paper = normalizeRecord(record({ id: '2501.01234v3', version: 2, doi: null })) as NormalizedPaper;
    expect(paper.version).toBe(2);
    expect('doi' in paper).toBe(false);
  });

  it('is idempotent', () => {
    const once = normalizeRecord(record({ title: ' x  y ', doi: 'https://doi.org/10.1000/X' })) as NormalizedPaper;
    expect(normalizeRecord(once)).toEqual(once);
  });

  it.each([
    [{ id: ' ' }, 'id is missing'],
    [{ id: 'bad id' }, 'id "bad id" is not a paper id'],
    [{ title: ' ' }, 'title is missing'],
    [{ title: 'x'.repeat(1001) }, 'title is longer than 1000 characters'],
    [{ abstract: '' }, 'abstract is missing'],
    [{ publishedAt: new Date('nope') }, 'publication date is missing or invalid'],
    [{ upvotes: -1 }, 'upvotes must be a whole number, at least 0'],
    [{ doi: '10.1/x' }, 'doi is not a DOI (10.NNNN/suffix)'],
  ])('rejects %j: %s', (overrides, reason) => {
    expect(normalizeRecord(record(overrides as Partial<NormalizedPaper>))).toBe(reason);
  });
});

describe('normalizePushedPaper and DOIs', () => {
  const pushed = { id: 'acl-2024-17', title: 'T', abstract: 'A', authors: [], publishedAt: '2025-01-02T00:00:00Z' };

  it('takes an optional DOI, normalised', () => {
    expect(normalizePushedPaper({ ...pushed, doi: 'https://doi.org/10.18653/V1/2024.ACL-LONG.17' })).toMatchObject({
      doi: '10.18653/v1/2024.acl-long.17',
    });
    expect(normalizePushedPaper(pushed)).not.toHaveProperty('doi');
  });

  it('rejects a DOI of the wrong shape', () => {
    expect(normalizePushedPaper({ ...pushed, doi: 'acl/17' })).toBe('doi is not a DOI (10.NNNN/suffix)');
    expect(normalizePushedPaper({ ...pushed, doi: 17 })).toBe('doi must be a string');
  });
});
