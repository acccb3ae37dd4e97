import { createHash } from 'node:crypto';
import { arxivAbsUrl, splitArxivId } from './normalized-paper';
import { asArray, MalformedDocumentError, parseDate, ParsedRecord, text, toRecord } from './records';
import { parseXml } from './xml';

/** Finds an arXiv id (with version) in the places arXiv's feeds put it. */
function arxivIdOf(...candidates: string[]): { id: string; version: number | null } | null {
  for (const candidate of candidates) {
    const match = /(?:arxiv\.org\/abs\/|oai:arXiv\.org:|arXiv:)(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?\/\d{7}(?:v\d+)?)/i.exec(
      candidate,
    );
    if (match) {
      const { id, version } = splitArxivId(match[1]);
      return { id, version };
    }
  }
  return null;
}

/** Items without an arXiv id are identified by their link (or guid), hashed into the id alphabet. */
function foreignId(key: string): string {
  return `feed:${createHash('sha1').update(key).digest('hex')}`;
}

/** rss.arxiv.org descriptions: "arXiv:2604.21935v1 Announce Type: new \nAbstract: …". */
function abstractOf(description: string): string {
  const match = /Abstract:\s*([\s\S]*)$/.exec(description);
  return (match ? match[1] : description).replace(/<[^>]+>/g, ' ').trim();
}

function rssItem(item: Record<string, any>): ParsedRecord {
  const link = text(item.link).trim();
  const guid = text(item.guid).trim();
  const description = text(item.description);
  const arxiv = arxivIdOf(guid, link, description);
  const creators = asArray(item.creator).map(text).join(', ') || text(item.author);
  return toRecord({
    id: arxiv?.id ?? foreignId(link || guid),
    version: arxiv?.version ?? null,
    title: text(item.title),
    abstract: abstractOf(description),
    authors: creators.split(/,\s*/),
    categories: asArray(item.category).map(text),
    publishedAt: parseDate(text(item.pubDate) || text(item.date)),
    url: arxiv ? arxivAbsUrl(arxiv.id) : link || null,
    upvotes: null,
  });
}

function atomEntry(entry: Record<string, any>): ParsedRecord {
  const links = asArray(entry.link) as Record<string, string>[];
  const link = (links.find((l) => !l['@rel'] || l['@rel'] === 'alternate') ?? links[0])?.['@href'] ?? '';
  const entryId = text(entry.id).trim();
  const arxiv = arxivIdOf(entryId, link);
  return toRecord({
    id: arxiv?.id ?? foreignId(link || entryId),
    version: arxiv?.version ?? null,
    title: text(entry.title),
    abstract: text(entry.summary) || text(entry.content),
    authors: asArray(entry.author).map((author: Record<string, unknown>) => text(author.name)),
    categories: asArray(entry.category).map((c: Record<string, string>) => text(c['@term'])),
    publishedAt: parseDate(text(entry.published) || text(entry.updated)),
    updatedAt: parseDate(text(entry.updated)),
    url: arxiv ? arxivAbsUrl(arxiv.id) : link || null,
    upvotes: null,
  });
}

/** An RSS 2.0 (rss.arxiv.org and generic) or Atom feed. */
export function parseFeed(xml: string): ParsedRecord[] {
  const document = parseXml(xml, 'feed');
  if (document.rss?.channel) return asArray(document.rss.channel.item).map(rssItem);
  if (document.feed && typeof document.feed === 'object') return asArray(document.feed.entry).map(atomEntry);
  if (document.RDF) return asArray(document.RDF.item).map(rssItem);
  throw new MalformedDocumentError('feed: neither RSS nor Atom');
}
