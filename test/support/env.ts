import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppConfig, loadConfig } from '@paperfeed/config';

export const ROOT = path.resolve(__dirname, '..', '..');
export const TEST_MODEL_DIR = path.join(ROOT, '.test-data', 'test-model');
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
    // Tests make many requests a minute; the limiter has its own test (operations e2e).
    RATE_LIMIT_PER_MINUTE: '0',
    ...overrides,
  };
}

export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig(testEnv(databaseUrl, overrides));
}

export { loadArxivPapers, toPushedPaper } from '../../tools/arxiv-data';

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
