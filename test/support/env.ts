import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { AppConfig, loadConfig } from '@paperfeed/config';

export const ROOT = path.resolve(__dirname, '..', '..');
export const TEST_MODEL_DIR = path.join(ROOT, '.test-data', 'test-model');
export const SHARED_DIR = path.resolve(ROOT, '..', 'shared');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A queue prefix of its own, so tests sharing one Redis never see each other's jobs. */
export function uniquePrefix(): string {
  return `{pftest-${randomBytes(4).toString('hex')}}`;
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `paperfeed-${label}-`));
}

/** Environment for a test process: the test model, a private prefix and data dir. */
export function testEnv(databaseUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: uniquePrefix(),
    DATA_DIR: tempDir('data'),
    ADMIN_TOKEN,
    EMBEDDING_MODEL: TEST_MODEL_DIR,
    EMBEDDING_DTYPE: 'fp32',
    EMBED_THREADS: '1',
    NODE_ENV: 'test',
    ...overrides,
  };
}

export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig(testEnv(databaseUrl, overrides));
}

export interface ArxivRecord {
  id: string;
  title: string;
  summary: string;
  authors: string[];
  categories: string[];
  _listing_date?: string;
}

/** The first n real papers of ../shared/data/arxiv (part 1). */
export function loadArxivPapers(n: number): ArxivRecord[] {
  const file = path.join(SHARED_DIR, 'data', 'arxiv', 'dw-dengwei_daily-arxiv_cs_part1of4.jsonl.gz');
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
  return lines.filter(Boolean).slice(0, n).map((line) => JSON.parse(line) as ArxivRecord);
}

/** An arXiv record as the push-ingestion API takes it. */
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

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
