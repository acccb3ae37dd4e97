import { collapseWhitespace, NormalizedPaper } from './normalized-paper';

/** One record of a source page: a paper, or why it cannot be one. */
export type ParsedRecord = { ok: true; paper: NormalizedPaper } | { ok: false; id?: string; reason: string };

/** A document that cannot be read at all (as opposed to one bad record in it). */
export class MalformedDocumentError extends Error {}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/** XML text nodes arrive as strings, numbers or { '#text' } objects; this gives the text. */
export function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return text((value as Record<string, unknown>)['#text']);
  return String(value);
}

export function asArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function parseDate(value: string): Date | null {
  const date = new Date(value.trim());
  return value.trim() && !Number.isNaN(date.getTime()) ? date : null;
}

/** Checks what every stored paper needs and tidies text; the reason names the first problem. */
export function toRecord(paper: Omit<NormalizedPaper, 'publishedAt'> & { publishedAt: Date | null }): ParsedRecord {
  const id = paper.id.trim();
  const title = collapseWhitespace(paper.title);
  const abstract = paper.abstract.trim();
  if (!ID_PATTERN.test(id)) return { ok: false, id: id || undefined, reason: `id "${id.slice(0, 60)}" is not a paper id` };
  if (!title) return { ok: false, id, reason: 'title is missing' };
  if (title.length > 1000) return { ok: false, id, reason: 'title is longer than 1000 characters' };
  if (!abstract) return { ok: false, id, reason: 'abstract is missing' };
  if (abstract.length > 20000) return { ok: false, id, reason: 'abstract is longer than 20000 characters' };
  if (!paper.publishedAt) return { ok: false, id, reason: 'publication date is missing or invalid' };
  return {
    ok: true,
    paper: {
      ...paper,
      id,
      title,
      abstract,
      authors: paper.authors.map(collapseWhitespace).filter(Boolean),
      categories: [...new Set(paper.categories.map((c) => c.trim()).filter(Boolean))],
      publishedAt: paper.publishedAt,
    },
  };
}
