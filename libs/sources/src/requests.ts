import { parseArxivApi } from './arxiv-atom';
import { parseHfDailyPapers } from './hf-daily';
import { parseOaiListRecords } from './oai-pmh';
import { ParsedRecord } from './records';
import { isAllowedUrl } from './fetch';
import { parseFeed } from './rss';

/** What POST /v1/ingest/sources (and a schedule) asks for. */
export type SourceRequest =
  | { source: 'arxiv'; query: string; maxResults: number }
  | { source: 'arxiv-oai'; set?: string; from?: string; until?: string }
  | { source: 'hf-daily'; date: string }
  | { source: 'rss'; url: string };

export const SOURCES = ['arxiv', 'arxiv-oai', 'hf-daily', 'rss'] as const;

/** Where a harvest is: the arXiv API's offset, or OAI-PMH's resumption token. */
export interface HarvestCursor {
  start?: number;
  token?: string;
}

export interface SourceEndpoints {
  arxivApiUrl: string;
  arxivOaiUrl: string;
  hfApiUrl: string;
  /** Hosts `rss` requests may name (SOURCE_HOSTS). */
  feedHosts: string[];
}

/** The arXiv API serves at most this many entries per request (its documented page size). */
export const ARXIV_PAGE_SIZE = 100;
const MAX_ARXIV_RESULTS = 30_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const isDay = (value: unknown): value is string =>
  typeof value === 'string' &&
  DAY.test(value) &&
  !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
  new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

/**
 * Checks a sources body; every problem names its field. Unknown fields are refused so a typo
 * (say `maxresults`) is not silently ignored.
 */
export function validateSourceRequest(body: unknown, endpoints: SourceEndpoints): { request: SourceRequest } | { errors: string[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { errors: ['body must be a JSON object'] };
  const b = body as Record<string, unknown>;
  const errors: string[] = [];
  const allowed: Record<string, string[]> = {
    arxiv: ['source', 'query', 'maxResults'],
    'arxiv-oai': ['source', 'set', 'from', 'until'],
    'hf-daily': ['source', 'date'],
    rss: ['source', 'url'],
  };
  if (!(SOURCES as readonly string[]).includes(b.source as string)) {
    return { errors: [`source must be one of ${SOURCES.join(', ')}`] };
  }
  const source = b.source as SourceRequest['source'];
  for (const key of Object.keys(b)) if (!allowed[source].includes(key)) errors.push(`${key}: is not a field of a ${source} request`);
  switch (source) {
    case 'arxiv': {
      if (typeof b.query !== 'string' || !b.query.trim() || b.query.length > 1000)
        errors.push('query: must be 1–1000 characters, e.g. "cat:cs.LG"');
      const max = b.maxResults ?? ARXIV_PAGE_SIZE;
      if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > MAX_ARXIV_RESULTS)
        errors.push(`maxResults: must be a whole number from 1 to ${MAX_ARXIV_RESULTS}`);
      return errors.length ? { errors } : { request: { source, query: (b.query as string).trim(), maxResults: max as number } };
    }
    case 'arxiv-oai': {
      if (b.set !== undefined && (typeof b.set !== 'string' || !/^[A-Za-z0-9:._-]{1,64}$/.test(b.set)))
        errors.push('set: must be an OAI set spec such as "cs" or "physics:hep-th"');
      if (b.from !== undefined && !isDay(b.from)) errors.push('from: must be a date YYYY-MM-DD');
      if (b.until !== undefined && !isDay(b.until)) errors.push('until: must be a date YYYY-MM-DD');
      if (isDay(b.from) && isDay(b.until) && b.from > b.until) errors.push('until: must not be before from');
      if (errors.length) return { errors };
      return {
        request: {
          source,
          ...(b.set ? { set: b.set as string } : {}),
          ...(b.from ? { from: b.from as string } : {}),
          ...(b.until ? { until: b.until as string } : {}),
        },
      };
    }
    case 'hf-daily':
      if (!isDay(b.date)) errors.push('date: must be a date YYYY-MM-DD');
      return errors.length ? { errors } : { request: { source, date: b.date as string } };
    case 'rss':
      if (typeof b.url !== 'string' || b.url.length > 2048) errors.push('url: must be an http(s) URL');
      else if (!isAllowedUrl(b.url, endpoints.feedHosts))
        errors.push(`url: host is not on the allow-list (SOURCE_HOSTS: ${endpoints.feedHosts.join(', ')})`);
      return errors.length ? { errors } : { request: { source, url: b.url as string } };
  }
}

/** The URL of a harvest's next page. */
export function pageUrl(request: SourceRequest, cursor: HarvestCursor, endpoints: SourceEndpoints): string {
  switch (request.source) {
    case 'arxiv': {
      const start = cursor.start ?? 0;
      const params = new URLSearchParams({
        search_query: request.query,
        start: String(start),
        max_results: String(Math.min(ARXIV_PAGE_SIZE, request.maxResults - start)),
        sortBy: 'submittedDate',
        sortOrder: 'descending',
      });
      return `${endpoints.arxivApiUrl}?${params}`;
    }
    case 'arxiv-oai': {
      const params = cursor.token
        ? new URLSearchParams({ verb: 'ListRecords', resumptionToken: cursor.token })
        : new URLSearchParams({
            verb: 'ListRecords',
            metadataPrefix: 'arXiv',
            ...(request.set ? { set: request.set } : {}),
            ...(request.from ? { from: request.from } : {}),
            ...(request.until ? { until: request.until } : {}),
          });
      return `${endpoints.arxivOaiUrl}?${params}`;
    }
    case 'hf-daily':
      return `${endpoints.hfApiUrl}/daily_papers?${new URLSearchParams({ date: request.date })}`;
    case 'rss':
      return request.url;
  }
}

/**
 * Parses a page and says where the next one starts (null: the harvest is complete) and how many
 * records the whole harvest holds, when the source says (null: it does not).
 */
export function readPage(
  request: SourceRequest,
  cursor: HarvestCursor,
  body: string,
): { records: ParsedRecord[]; next: HarvestCursor | null; expected: number | null } {
  switch (request.source) {
    case 'arxiv': {
      const page = parseArxivApi(body);
      const start = (cursor.start ?? 0) + page.records.length;
      const expected = Math.min(request.maxResults, page.totalResults);
      const done = page.records.length === 0 || start >= expected;
      return { records: page.records, next: done ? null : { start }, expected };
    }
    case 'arxiv-oai': {
      const page = parseOaiListRecords(body);
      return {
        records: page.records,
        next: page.resumptionToken ? { token: page.resumptionToken } : null,
        expected: page.completeListSize,
      };
    }
    case 'hf-daily': {
      const records = parseHfDailyPapers(body);
      return { records, next: null, expected: records.length };
    }
    case 'rss': {
      const records = parseFeed(body);
      return { records, next: null, expected: records.length };
    }
  }
}

/** arXiv asks for one request every 3 s on one connection: its pages go through the limited queue. */
export function isArxivSource(request: SourceRequest): boolean {
  return request.source === 'arxiv' || request.source === 'arxiv-oai';
}
