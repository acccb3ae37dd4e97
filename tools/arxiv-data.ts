/** The real arXiv papers in ../shared/data/arxiv, for tests and benchmarks. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export const SHARED_DIR = path.resolve(__dirname, '..', '..', 'shared');

export interface ArxivRecord {
  id: string;
  title: string;
  summary: string;
  authors: string[];
  categories: string[];
  _listing_date?: string;
}

const PARTS = ['part1of4', 'part2of4'];

/** The first n papers (up to 12,000: parts 1 and 2), in file order. */
export function loadArxivPapers(n: number): ArxivRecord[] {
  const out: ArxivRecord[] = [];
  for (const part of PARTS) {
    const file = path.join(SHARED_DIR, 'data', 'arxiv', `dw-dengwei_daily-arxiv_cs_${part}.jsonl.gz`);
    for (const line of zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n')) {
      if (line) out.push(JSON.parse(line) as ArxivRecord);
      if (out.length >= n) return out;
    }
  }
  return out;
}

/** An arXiv record as POST /v1/ingest/papers takes it (published on its listing day). */
export function toPushedPaper(record: ArxivRecord) {
  return {
    id: record.id,
    title: record.title,
    abstract: record.summary,
    authors: record.authors,
    categories: record.categories,
    publishedAt: `${record._listing_date ?? '2025-03-01'}T00:00:00Z`,
  };
}
