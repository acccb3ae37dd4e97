import { arxivAbsUrl, collapseWhitespace, normalizeDoi, NormalizedPaper, splitArxivId, splitCategories } from '@paperfeed/sources';

/** What a stored paper's id may look like (the api's PAPER_ID_PATTERN, the parsers' too). */
export const PAPER_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
export const MAX_TITLE = 1000;
export const MAX_ABSTRACT = 20000;

/**
 * The last step every record takes before it is matched and stored, whatever its source: the id
 * loses an arXiv version (which becomes the version if the record gave none), text is tidied
 * (white space collapsed, authors and categories cleaned), the DOI is normalised (normalizeDoi),
 * and what a stored paper needs is checked. Returns the paper, or the reason it cannot be stored.
 * Idempotent: a record the parsers already tidied comes out the same.
 */
export function normalizeRecord(paper: NormalizedPaper): NormalizedPaper | string {
  const split = splitArxivId(typeof paper.id === 'string' ? paper.id : '');
  const id = split.id;
  if (!id) return 'id is missing';
  if (!PAPER_ID.test(id)) return `id "${id.slice(0, 60)}" is not a paper id`;
  const title = typeof paper.title === 'string' ? collapseWhitespace(paper.title) : '';
  const abstract = typeof paper.abstract === 'string' ? paper.abstract.trim() : '';
  if (!title) return 'title is missing';
  if (title.length > MAX_TITLE) return `title is longer than ${MAX_TITLE} characters`;
  if (!abstract) return 'abstract is missing';
  if (abstract.length > MAX_ABSTRACT) return `abstract is longer than ${MAX_ABSTRACT} characters`;
  if (!(paper.publishedAt instanceof Date) || Number.isNaN(paper.publishedAt.getTime())) return 'publication date is missing or invalid';
  if (paper.upvotes !== null && paper.upvotes !== undefined && !(Number.isInteger(paper.upvotes) && paper.upvotes >= 0)) {
    return 'upvotes must be a whole number, at least 0';
  }
  let doi: string | undefined;
  if (paper.doi !== null && paper.doi !== undefined && paper.doi !== '') {
    const normalized = typeof paper.doi === 'string' ? normalizeDoi(paper.doi) : null;
    if (!normalized) return 'doi is not a DOI (10.NNNN/suffix)';
    doi = normalized;
  }
  const version = paper.version ?? split.version;
  const normalized: NormalizedPaper = {
    ...paper,
    id,
    version: version ?? null,
    title,
    abstract,
    authors: (paper.authors ?? []).map(collapseWhitespace).filter(Boolean),
    categories: splitCategories(paper.categories ?? []),
    url: paper.url ?? (split.isArxiv ? arxivAbsUrl(id) : null),
    upvotes: paper.upvotes ?? null,
  };
  // Absent rather than null, so a record without a DOI looks as it did before DOIs.
  delete normalized.doi;
  if (doi) normalized.doi = doi;
  return normalized;
}
