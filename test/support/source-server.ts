import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { ArxivRecord, loadArxivPapers, SHARED_DIR } from '../../tools/arxiv-data';

export const fixture = (name: string) => fs.readFileSync(path.join(SHARED_DIR, 'data', 'fixtures', name), 'utf8');

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An arXiv API page (legacy Atom format) built from real papers. */
export function arxivApiPage(records: ArxivRecord[], start: number, total: number): string {
  const entries = records.map(
    (r) => `<entry>
    <id>http://arxiv.org/abs/${r.id}v1</id>
    <updated>${r._listing_date}T12:00:00Z</updated>
    <published>${r._listing_date}T12:00:00Z</published>
    <title>${escapeXml(r.title)}</title>
    <summary>${escapeXml(r.summary)}</summary>
    ${r.authors.map((a) => `<author><name>${escapeXml(a)}</name></author>`).join('')}
    <link href="http://arxiv.org/abs/${r.id}v1" rel="alternate" type="text/html"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="${r.categories[0]}"/>
    ${r.categories.map((c) => `<category term="${escapeXml(c)}"/>`).join('')}
  </entry>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>http://arxiv.org/api/test</id>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${start}</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${records.length}</opensearch:itemsPerPage>
  ${entries.join('\n')}
</feed>`;
}

export interface SeenRequest {
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
}

/** A scripted reply for the next request to a path (then the normal handler answers). */
export type Fault =
  { status: number; headers?: Record<string, string>; body?: string } | { delayMs: number } | { body: string } | { pass: true };

/**
 * Serves the sources from fixtures and the real papers: the arXiv API (paginated), OAI-PMH (two
 * pages joined by a resumption token), Hugging Face daily papers (with an ETag) and RSS feeds.
 * Faults (503 with Retry-After, slowness, a malformed page) are queued per path.
 */
export class SourceServer {
  readonly requests: SeenRequest[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private server!: http.Server;
  port = 0;
  readonly papers = loadArxivPapers(1000);
  /** Upvotes the daily list reports; tests change them to see re-ingestion update. */
  hfUpvotes = 7;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  url(pathname: string): string {
    return `http://${this.host}${pathname}`;
  }

  fail(pathname: string, ...faults: Fault[]): void {
    this.faults.set(pathname, [...(this.faults.get(pathname) ?? []), ...faults]);
  }

  seen(pathname: string): SeenRequest[] {
    return this.requests.filter((r) => r.path === pathname);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.requests.push({ at: Date.now(), path: url.pathname, headers: req.headers });
    const fault = this.faults.get(url.pathname)?.shift();
    if (!fault || 'pass' in fault) {
      // answered normally below
    } else if ('delayMs' in fault) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    else if ('status' in fault) {
      res.writeHead(fault.status, fault.headers ?? {});
      res.end(fault.body ?? '');
      return;
    } else {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(fault.body);
      return;
    }
    const send = (body: string, type: string, headers: Record<string, string> = {}) => {
      if (!res.destroyed) {
        res.writeHead(200, { 'content-type': type, ...headers });
        res.end(body);
      }
    };
    switch (url.pathname) {
      case '/api/query': {
        const start = Number(url.searchParams.get('start') ?? 0);
        const max = Number(url.searchParams.get('max_results') ?? 10);
        return send(arxivApiPage(this.papers.slice(start, start + max), start, this.papers.length), 'application/atom+xml');
      }
      case '/oai': {
        const token = url.searchParams.get('resumptionToken');
        if (token === 'page-2') return send(fixture('oai_listrecords_arXiv_hep-th_2017_hepcrawl.xml'), 'text/xml');
        const first = fixture('oai_listrecords_arXiv_2013_mispy-arxivsync.xml').replace(
          /<resumptionToken([^>]*)>[^<]*<\/resumptionToken>/,
          '<resumptionToken$1>page-2</resumptionToken>',
        );
        return send(first, 'text/xml');
      }
      case '/hf/api/daily_papers': {
        const items = JSON.parse(fixture('hf_api_daily_papers_2026-06-12_sotawhat.json')) as { paper: { upvotes: number } }[];
        items[1].paper.upvotes = this.hfUpvotes;
        const etag = `"hf-${this.hfUpvotes}"`;
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304);
          res.end();
          return;
        }
        return send(JSON.stringify(items), 'application/json', { etag });
      }
      case '/rss/cs.AI':
        return send(fixture('rss_cs_ai_2026-04-27_distill.xml'), 'application/rss+xml');
      case '/redirect-away':
        res.writeHead(302, { location: 'http://example.com/rss' });
        res.end();
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  }
}
