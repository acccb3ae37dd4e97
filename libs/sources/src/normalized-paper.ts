/** The one shape every source is turned into before a paper is stored. */
export interface NormalizedPaper {
  /** arXiv id without version where the paper has one, else the id it was given. */
  id: string;
  /** arXiv version of this text; null when the source does not say. */
  version: number | null;
  title: string;
  abstract: string;
  authors: string[];
  /** Primary category first. */
  categories: string[];
  publishedAt: Date;
  url: string | null;
  /** null leaves the stored count as it is. */
  upvotes: number | null;
  /** When the source last changed the paper (arXiv: the latest version's date). */
  updatedAt?: Date | null;
  /** Hugging Face: the paper's code repository. */
  githubRepo?: string | null;
  /** Hugging Face: who put the paper on the daily list. */
  submittedBy?: string | null;
  /** Hugging Face: the day (YYYY-MM-DD) the paper entered the daily list. */
  dailyDate?: string | null;
  /** The paper's DOI, lower-case, without a resolver prefix (see normalizeDoi); absent when unknown. */
  doi?: string | null;
}

/** What a DOI looks like: "10." + a registrant code of 4–9 digits + "/" + a suffix without spaces. */
export const DOI_PATTERN = /^10\.\d{4,9}\/\S+$/;

/**
 * A DOI as stored and compared: trimmed, resolver prefixes ("https://doi.org/", "doi:") dropped,
 * lower-cased (DOIs are case-insensitive). null when `raw` is empty or not shaped like a DOI.
 */
export function normalizeDoi(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null;
  const doi = raw
    .trim()
    .replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/i, '')
    .toLowerCase();
  return DOI_PATTERN.test(doi) ? doi : null;
}

/** The first DOI in a source's doi field (arXiv sometimes lists several, separated by spaces). */
export function firstDoi(field: string): string | null {
  for (const part of field.split(/\s+/)) {
    const doi = normalizeDoi(part);
    if (doi) return doi;
  }
  return null;
}

/**
 * The key titles are matched by: lower-case, letters and digits only (accents dropped, every
 * other run of characters one space), trimmed. null when nothing is left.
 * "Attention Is All You Need!" and "attention is  all you need" have the same key.
 */
export function titleKey(title: string): string | null {
  const key = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return key || null;
}

// New-style (2501.01234v2) and old-style (hep-th/9901001v1, math.GT/0309136) arXiv identifiers.
const ARXIV_ID = /^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v(\d+))?$/i;

/** Splits "2501.01234v2" into id "2501.01234" and version 2; other ids pass through unchanged. */
export function splitArxivId(rawId: string): { id: string; version: number | null; isArxiv: boolean } {
  const match = ARXIV_ID.exec(rawId.trim());
  if (!match) return { id: rawId.trim(), version: null, isArxiv: false };
  return { id: match[1], version: match[2] ? Number(match[2]) : null, isArxiv: true };
}

/** Collapses runs of white space (sources wrap titles and abstracts at arbitrary columns). */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function arxivAbsUrl(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}

/**
 * Category lists as sources give them, tidied: entries such as "I.2.6; I.4.2" or "68T05, 68T07"
 * (ACM and MSC classes arrive joined) are split, blanks dropped, duplicates removed, order kept.
 */
export function splitCategories(categories: string[]): string[] {
  const parts = categories
    .flatMap((entry) => entry.split(/[;,]/))
    .map((part) => part.trim())
    .filter(Boolean);
  return [...new Set(parts)];
}
