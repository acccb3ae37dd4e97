import { arxivAbsUrl, firstDoi, splitArxivId } from './normalized-paper';
import { asArray, MalformedDocumentError, parseDate, ParsedRecord, text, toRecord } from './records';
import { parseXml } from './xml';

export interface OaiPage {
  records: ParsedRecord[];
  /** Where the next page starts; null when this was the last page. */
  resumptionToken: string | null;
  completeListSize: number | null;
}

/** "Robert H. Brandenberger (McGill), Keshav Dasgupta (McGill) and Anne-Christine Davis (DAMTP, Cambridge)" → names. */
export function splitAuthorList(authors: string): string[] {
  let flat = authors.replace(/\s+/g, ' ');
  // Drop affiliations in parentheses, innermost first.
  for (let previous = ''; previous !== flat;) {
    previous = flat;
    flat = flat.replace(/\([^()]*\)/g, '');
  }
  return flat
    .split(/,|\band\b|;/)
    .map((name) => name.trim())
    .filter((name) => name.length > 1 && !/^(jr|sr)\.?$/i.test(name));
}

/** metadataPrefix=arXiv: structured authors, created/updated dates, space-separated categories. */
function fromArxivFormat(meta: Record<string, any>): ParsedRecord {
  const { id, version } = splitArxivId(text(meta.id));
  const authors = asArray(meta.authors?.author).map((author: Record<string, unknown>) =>
    [text(author.forenames), text(author.keyname), text(author.suffix)].filter(Boolean).join(' '),
  );
  return toRecord({
    id,
    version,
    title: text(meta.title),
    abstract: text(meta.abstract),
    authors,
    categories: text(meta.categories).split(/\s+/),
    publishedAt: parseDate(text(meta.created)),
    updatedAt: parseDate(text(meta.updated) || text(meta.created)),
    url: arxivAbsUrl(id),
    upvotes: null,
    doi: firstDoi(text(meta.doi)),
  });
}

/** metadataPrefix=arXivRaw: every version with its date, authors as one string. */
function fromArxivRawFormat(meta: Record<string, any>): ParsedRecord {
  const { id } = splitArxivId(text(meta.id));
  const versions = asArray(meta.version)
    .map((v: Record<string, unknown>) => ({ number: Number(text(v['@version']).replace(/^v/, '')), date: parseDate(text(v.date)) }))
    .filter((v) => Number.isFinite(v.number))
    .sort((a, b) => a.number - b.number);
  const first = versions[0];
  const last = versions[versions.length - 1];
  return toRecord({
    id,
    version: last?.number ?? null,
    title: text(meta.title),
    abstract: text(meta.abstract),
    authors: splitAuthorList(text(meta.authors)),
    categories: text(meta.categories).split(/\s+/),
    publishedAt: first?.date ?? null,
    updatedAt: last?.date ?? null,
    url: arxivAbsUrl(id),
    upvotes: null,
    doi: firstDoi(text(meta.doi)),
  });
}

function parseRecord(record: Record<string, any>): ParsedRecord {
  const identifier = text(record.header?.identifier);
  if (record.header?.['@status'] === 'deleted') return { ok: false, id: identifier, reason: 'deleted at the source' };
  const metadata = record.metadata ?? {};
  if (metadata.arXiv) return fromArxivFormat(metadata.arXiv);
  if (metadata.arXivRaw) return fromArxivRawFormat(metadata.arXivRaw);
  return { ok: false, id: identifier || undefined, reason: 'no arXiv or arXivRaw metadata' };
}

/**
 * An OAI-PMH ListRecords page in the arXiv or arXivRaw metadata format. `noRecordsMatch` is an
 * empty, final page; any other OAI error fails the page.
 */
export function parseOaiListRecords(xml: string): OaiPage {
  const document = parseXml(xml, 'OAI-PMH response');
  const root = document['OAI-PMH'];
  if (!root || typeof root !== 'object') throw new MalformedDocumentError('OAI-PMH response: no <OAI-PMH> element');
  const error = asArray(root.error)[0] as Record<string, string> | undefined;
  if (error) {
    if (error['@code'] === 'noRecordsMatch') return { records: [], resumptionToken: null, completeListSize: 0 };
    throw new MalformedDocumentError(`OAI-PMH error ${error['@code']}: ${text(error).trim()}`);
  }
  const list = root.ListRecords;
  if (!list || typeof list !== 'object') throw new MalformedDocumentError('OAI-PMH response: no <ListRecords> element');
  const token = list.resumptionToken;
  const size = token && typeof token === 'object' ? Number(token['@completeListSize']) : NaN;
  return {
    records: asArray(list.record).map(parseRecord),
    resumptionToken: text(token).trim() || null,
    completeListSize: Number.isFinite(size) ? size : null,
  };
}
