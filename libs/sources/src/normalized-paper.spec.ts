import { collapseWhitespace, splitArxivId, splitCategories } from './normalized-paper';

describe('splitArxivId', () => {
  it.each([
    ['2501.01234', '2501.01234', null],
    ['2501.01234v3', '2501.01234', 3],
    ['arXiv:2501.01234v1', '2501.01234', 1],
    ['0704.0001', '0704.0001', null],
    ['hep-th/9901001v2', 'hep-th/9901001', 2],
    ['math.GT/0309136', 'math.GT/0309136', null],
  ])('%s → %s v%s', (raw, id, version) => {
    expect(splitArxivId(raw)).toEqual({ id, version, isArxiv: true });
  });

  it('passes other ids through', () => {
    expect(splitArxivId('doi:10.1000/xyz')).toEqual({ id: 'doi:10.1000/xyz', version: null, isArxiv: false });
    expect(splitArxivId('my-paper-v2')).toEqual({ id: 'my-paper-v2', version: null, isArxiv: false });
  });
});

describe('collapseWhitespace', () => {
  it('joins wrapped lines', () => {
    expect(collapseWhitespace('  Attention is\n   all you\tneed ')).toBe('Attention is all you need');
  });
});

describe('splitCategories', () => {
  it('splits joined ACM/MSC classes, keeps order, drops duplicates and blanks', () => {
    expect(splitCategories(['cs.LG', 'cs.CV', '68T05, 68T07', 'I.2.6; I.4.2', ' ', 'cs.LG'])).toEqual([
      'cs.LG',
      'cs.CV',
      '68T05',
      '68T07',
      'I.2.6',
      'I.4.2',
    ]);
  });
});
