import { StoredPaper } from '@paperfeed/db';

const escapeXml = (text: string) =>
  text
    // XML 1.0 forbids most control characters; sources do send them.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

export interface AtomFeed {
  /** A stable IRI for the feed (its own URL without volatile parameters). */
  id: string;
  title: string;
  selfUrl: string;
  papers: StoredPaper[];
  /** Why each paper is in the feed, when there is a reason to show. */
  summaryPrefix?: (paper: StoredPaper) => string | undefined;
}

/** An RFC 4287 Atom document: one entry per paper with id, title, authors, abstract, link and times. */
export function renderAtom(feed: AtomFeed): string {
  const updated = feed.papers.reduce((latest, paper) => (paper.publishedAt > latest ? paper.publishedAt : latest), new Date(0));
  const entries = feed.papers.map((paper) => {
    const link = paper.url ?? `https://arxiv.org/abs/${paper.id}`;
    const authors = paper.authors.length ? paper.authors : ['unknown'];
    const prefix = feed.summaryPrefix?.(paper);
    return [
      '  <entry>',
      `    <id>${escapeXml(`urn:paperfeed:paper:${paper.id}`)}</id>`,
      `    <title>${escapeXml(paper.title)}</title>`,
      ...authors.map((name) => `    <author><name>${escapeXml(name)}</name></author>`),
      `    <link rel="alternate" href="${escapeXml(link)}"/>`,
      `    <published>${paper.publishedAt.toISOString()}</published>`,
      `    <updated>${paper.publishedAt.toISOString()}</updated>`,
      ...paper.categories.map((term) => `    <category term="${escapeXml(term)}"/>`),
      `    <summary>${escapeXml(prefix ? `${prefix}\n\n${paper.abstract}` : paper.abstract)}</summary>`,
      '  </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(feed.id)}</id>`,
    `  <title>${escapeXml(feed.title)}</title>`,
    `  <updated>${(feed.papers.length ? updated : new Date()).toISOString()}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(feed.selfUrl)}"/>`,
    '  <generator>paperfeed</generator>',
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
