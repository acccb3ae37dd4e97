import { arxivAbsUrl, firstDoi, splitArxivId } from './normalized-paper';
import { asArray, MalformedDocumentError, parseDate, ParsedRecord, text, toRecord } from './records';
import { parseXml } from './xml';

export interface ArxivApiPage {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  records: ParsedRecord[];
}

/** "http://arxiv.org/abs/2510.14968v1" → id and version. */
function idFromAbsUrl(url: string): { id: string; version: number | null } | null {
  const match = /arxiv\.org\/abs\/(.+)$/i.exec(url.trim());
  if (!match) return null;
  const { id, version, isArxiv } = splitArxivId(match[1]);
  return isArxiv ? { id, version } : null;
}

function parseEntry(entry: Record<string, any>): ParsedRecord {
  const ids = idFromAbsUrl(text(entry.id));
  if (!ids) return { ok: false, id: text(entry.id) || undefined, reason: `entry id "${text(entry.id)}" is not an arXiv abs URL` };
  const primary = text(entry.primary_category?.['@term']);
  const categories = [primary, ...asArray(entry.category).map((c: Record<string, string>) => text(c['@term']))];
  return toRecord({
    id: ids.id,
    version: ids.version,
    title: text(entry.title),
    abstract: text(entry.summary),
    authors: asArray(entry.author).map((author: Record<string, unknown>) => text(author.name)),
    categories,
    publishedAt: parseDate(text(entry.published)),
    updatedAt: parseDate(text(entry.updated)),
    url: arxivAbsUrl(ids.id),
    upvotes: null,
    // <arxiv:doi> (namespace prefix dropped by the parser), present once the paper is published.
    doi: firstDoi(text(entry.doi)),
  });
}

/**
 * The arXiv API's Atom response, legacy format (namespaces declared inline, http ids) and the 2026
 * format (namespaces on the root, https://arxiv.org/api/ feed ids, reordered elements) alike.
 */
export function parseArxivApi(xml: string): ArxivApiPage {
  const document = parseXml(xml, 'arXiv API response');
  const feed = document.feed;
  if (!feed || typeof feed !== 'object') throw new MalformedDocumentError('arXiv API response: no Atom <feed> element');
  const entries = asArray(feed.entry) as Record<string, any>[];
  // The API reports a bad query as a single entry whose id is an errors# URL.
  const error = entries.find((entry) => /\/api\/errors/.test(text(entry.id)));
  if (error) throw new MalformedDocumentError(`arXiv API error: ${text(error.summary).trim() || text(error.title)}`);
  const number = (value: unknown) => {
    const n = Number(text(value));
    return Number.isFinite(n) ? n : 0;
  };
  return {
    totalResults: number(feed.totalResults),
    startIndex: number(feed.startIndex),
    itemsPerPage: number(feed.itemsPerPage),
    records: entries.map(parseEntry),
  };
}
