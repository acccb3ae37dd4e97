import { NormalizedPaper } from '@paperfeed/sources';
import { dedupeRecords } from './dedupe';
import { normalizeRecord } from './normalize';

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
  /** 10.NNNN/suffix, with or without a resolver prefix. */
  doi?: string;
}

export interface Rejection {
  index: number;
  id?: string;
  reason: string;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Turns one pushed paper (as staged, unknown shape) into a NormalizedPaper, or says why it cannot
 * be stored: its shape is checked here, the rest by normalizeRecord, as for every source.
 */
export function normalizePushedPaper(raw: unknown): NormalizedPaper | string {
  const p = raw as Partial<PushedPaper> | null;
  if (!p || typeof p !== 'object') return 'not an object';
  if (typeof p.id !== 'string' || !p.id.trim()) return 'id is missing';
  if (typeof p.title !== 'string' || !p.title.trim()) return 'title is missing';
  if (typeof p.abstract !== 'string' || !p.abstract.trim()) return 'abstract is missing';
  if (!isStringArray(p.authors)) return 'authors must be a list of names';
  if (p.categories !== undefined && !isStringArray(p.categories)) return 'categories must be a list';
  const publishedAt = new Date(p.publishedAt ?? '');
  if (typeof p.publishedAt !== 'string' || Number.isNaN(publishedAt.getTime())) return 'publishedAt is not a date';
  if (p.url !== undefined && typeof p.url !== 'string') return 'url must be a string';
  if (p.doi !== undefined && typeof p.doi !== 'string') return 'doi must be a string';
  return normalizeRecord({
    id: p.id,
    version: null,
    title: p.title,
    abstract: p.abstract,
    authors: p.authors,
    categories: p.categories ?? [],
    publishedAt,
    url: p.url ?? null,
    upvotes: typeof p.upvotes === 'number' ? p.upvotes : null,
    ...(p.doi !== undefined ? { doi: p.doi } : {}),
  });
}

/**
 * Normalizes a batch record by record (a bad record is rejected with its reason, the rest go on)
 * and combines the records of one paper by the in-batch rule (dedupeRecords): the same paper
 * twice in one batch (say v1 and v2) is one paper, with the newest version's text. Pure: the
 * matching against stored papers happens in PaperIngest.
 */
export function normalizePushedBatch(raw: unknown[]): { papers: NormalizedPaper[]; rejections: Rejection[]; duplicates: number } {
  const valid: NormalizedPaper[] = [];
  const rejections: Rejection[] = [];
  raw.forEach((item, index) => {
    const paper = normalizePushedPaper(item);
    if (typeof paper === 'string') {
      const id = (item as { id?: unknown } | null)?.id;
      rejections.push({ index, ...(typeof id === 'string' ? { id } : {}), reason: paper });
    } else valid.push(paper);
  });
  const papers = dedupeRecords(valid).map((group) => group.paper);
  return { papers, rejections, duplicates: valid.length - papers.length };
}
