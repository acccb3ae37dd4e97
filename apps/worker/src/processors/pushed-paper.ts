import { arxivAbsUrl, collapseWhitespace, NormalizedPaper, splitArxivId, splitCategories } from '@paperfeed/sources';

/** What POST /v1/ingest/papers accepts for one paper (validated by the api, re-checked here). */
export interface PushedPaper {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  categories?: string[];
  publishedAt: string;
  url?: string;
  upvotes?: number;
}

export interface Rejection {
  index: number;
  id?: string;
  reason: string;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Turns one pushed paper into a NormalizedPaper, or says why it cannot be stored. */
export function normalizePushedPaper(raw: unknown): NormalizedPaper | string {
  const p = raw as Partial<PushedPaper> | null;
  if (!p || typeof p !== 'object') return 'not an object';
  if (typeof p.id !== 'string' || !p.id.trim()) return 'id is missing';
  const title = typeof p.title === 'string' ? collapseWhitespace(p.title) : '';
  const abstract = typeof p.abstract === 'string' ? p.abstract.trim() : '';
  if (!title) return 'title is missing';
  if (!abstract) return 'abstract is missing';
  if (!isStringArray(p.authors)) return 'authors must be a list of names';
  if (p.categories !== undefined && !isStringArray(p.categories)) return 'categories must be a list';
  const publishedAt = new Date(p.publishedAt ?? '');
  if (typeof p.publishedAt !== 'string' || Number.isNaN(publishedAt.getTime())) return 'publishedAt is not a date';
  const { id, version, isArxiv } = splitArxivId(p.id);
  return {
    id,
    version,
    title,
    abstract,
    authors: p.authors.map(collapseWhitespace).filter(Boolean),
    categories: splitCategories(p.categories ?? []),
    publishedAt,
    url: p.url ?? (isArxiv ? arxivAbsUrl(id) : null),
    upvotes: typeof p.upvotes === 'number' ? p.upvotes : null,
  };
}

/**
 * Normalizes a batch record by record: a bad record is rejected with its reason, the rest go on.
 * The same paper twice in one batch (say v1 and v2) is stored once, keeping the newest version.
 */
export function normalizePushedBatch(raw: unknown[]): { papers: NormalizedPaper[]; rejections: Rejection[]; duplicates: number } {
  const byId = new Map<string, NormalizedPaper>();
  const rejections: Rejection[] = [];
  raw.forEach((item, index) => {
    const paper = normalizePushedPaper(item);
    if (typeof paper === 'string') {
      const id = (item as { id?: unknown } | null)?.id;
      rejections.push({ index, ...(typeof id === 'string' ? { id } : {}), reason: paper });
      return;
    }
    const seen = byId.get(paper.id);
    if (!seen || (paper.version ?? 0) >= (seen.version ?? 0)) byId.set(paper.id, paper);
  });
  const papers = [...byId.values()];
  return { papers, rejections, duplicates: raw.length - rejections.length - papers.length };
}
