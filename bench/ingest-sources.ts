/**
 * Issue #3 figure: ingestion overhead through the queue, embedding switched off (no worker consumes
 * the embed queue): the 12,000 real papers harvested over OAI-PMH (12 pages of 1,000 records, the
 * page size arXiv's OAI-PMH uses) from a local server, until the harvest is stored. Baseline in the
 * same run: the same papers pushed through POST /v1/ingest/papers (12 batches of 1,000).
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/ingest-sources.ts [rounds=3]
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { ArxivRecord, loadArxivPapers, SHARED_DIR, toPushedPaper } from '../tools/arxiv-data';
import { databaseLabel, dbNow, median, pushPapers, RunningSystem, startAllInOne } from './support';

const ROUNDS = Number(process.argv[2] ?? 3);
const PAGE = 1000;
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function oaiPage(records: ArxivRecord[], token: string | null): string {
  const items = records.map(
    (r) => `<record><header><identifier>oai:arXiv.org:${r.id}</identifier><datestamp>${r._listing_date}</datestamp></header><metadata>
 <arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>${r.id}</id><created>${r._listing_date}</created><authors>${r.authors
   .map((a) => `<author><keyname>${escapeXml(a)}</keyname></author>`)
   .join(
     '',
   )}</authors><title>${escapeXml(r.title)}</title><categories>${r.categories.join(' ')}</categories><abstract>${escapeXml(r.summary)}</abstract></arXiv>
</metadata></record>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2025-12-01T00:00:00Z</responseDate>
<ListRecords>${items.join('\n')}${token ? `<resumptionToken completeListSize="12000">${token}</resumptionToken>` : '<resumptionToken completeListSize="12000"/>'}</ListRecords></OAI-PMH>`;
}

async function serve(papers: ArxivRecord[]): Promise<{ url: string; close: () => void }> {
  const pages = Array.from({ length: Math.ceil(papers.length / PAGE) }, (_, i) =>
    oaiPage(papers.slice(i * PAGE, (i + 1) * PAGE), (i + 1) * PAGE < papers.length ? `page-${i + 1}` : null),
  );
  const server = http.createServer((req, res) => {
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('resumptionToken');
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(pages[token ? Number(token.slice(5)) : 0]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/oai`, close: () => server.close() };
}

// No worker consumes the embed queue; the api still loads a (fast) model for search queries.
const NO_EMBEDDING = {
  WORKER_QUEUES: 'ingest,arxiv',
  EMBEDDING_MODEL: path.join(SHARED_DIR, 'models', 'glove-static-100d'),
  EMBEDDING_DTYPE: 'fp32',
  ARXIV_MIN_INTERVAL_MS: '0',
};

async function lastWrite(system: RunningSystem, table: 'harvests' | 'papers'): Promise<Date> {
  const { rows } = await system.db.query(`SELECT max(updated_at) AS t FROM ${table}`);
  return rows[0].t;
}

async function harvestRate(oaiUrl: string, n: number): Promise<number> {
  const system = await startAllInOne({ ...NO_EMBEDDING, ARXIV_OAI_URL: oaiUrl });
  try {
    const started = await dbNow(system);
    const response = await fetch(`${system.url}/v1/ingest/sources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${system.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'arxiv-oai', set: 'cs' }),
    });
    const { jobId } = (await response.json()) as { jobId: string };
    for (;;) {
      const status = (await (
        await fetch(`${system.url}/v1/jobs/${jobId}`, { headers: { authorization: `Bearer ${system.token}` } })
      ).json()) as { state: string; result?: { created: number } };
      if (status.state === 'failed') throw new Error(`harvest failed: ${JSON.stringify(status)}`);
      if (status.state === 'completed') {
        if (status.result?.created !== n) throw new Error(`expected ${n} created, got ${JSON.stringify(status.result)}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return n / (((await lastWrite(system, 'harvests')).getTime() - started.getTime()) / 1000);
  } finally {
    await system.stop();
  }
}

async function pushRate(papers: ArxivRecord[]): Promise<number> {
  const system = await startAllInOne(NO_EMBEDDING);
  try {
    const started = await dbNow(system);
    await pushPapers(system, papers.map(toPushedPaper));
    for (;;) {
      const { rows } = await system.db.query(`SELECT count(*)::int AS n FROM papers`);
      if (rows[0].n >= papers.length) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    return papers.length / (((await lastWrite(system, 'papers')).getTime() - started.getTime()) / 1000);
  } finally {
    await system.stop();
  }
}

async function main(): Promise<void> {
  console.log(`database: ${databaseLabel()}`);
  const papers = loadArxivPapers(12_000);
  const server = await serve(papers);
  const harvested: number[] = [];
  const pushed: number[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      harvested.push(await harvestRate(server.url, papers.length));
      pushed.push(await pushRate(papers));
      console.log(
        `round ${round}: OAI-PMH harvest ${harvested.at(-1)!.toFixed(0)} papers/s; push ingestion ${pushed.at(-1)!.toFixed(0)} papers/s`,
      );
    }
  } finally {
    server.close();
  }
  console.log(`\n12,000 papers, embedding off, medians of ${ROUNDS}`);
  console.log(`OAI-PMH harvest through the queue (local server, 12 pages): ${median(harvested).toFixed(0)} papers/s (target ≥ 1,000)`);
  console.log(`push ingestion (POST /v1/ingest/papers, 12 × 1,000): ${median(pushed).toFixed(0)} papers/s`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
