import * as path from 'node:path';
import type { Config } from '@jest/types';
import { Client } from 'pg';
import { writeTestModel } from '../tools/make-test-model';
import { TEST_DATABASE_PREFIX, TEST_POSTGRES_URL } from './support/server-postgres';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { probePostgres } = require('../tools/test.js') as { probePostgres: (url: string) => Promise<{ ok: boolean; reason?: string }> };

let modelWritten = false;
let serverChecked: Promise<void> | undefined;

/**
 * Once per run (jest calls it for each selected project that has one): writes the deterministic
 * test model that every test loads through transformers.js; for the postgres projects, checks
 * the server Postgres and drops the test databases that runs which died left behind.
 */
export default async function globalSetup(_global: Config.GlobalConfig, project: Config.ProjectConfig): Promise<void> {
  if (!modelWritten) {
    writeTestModel(path.join(__dirname, '..', '.test-data', 'test-model'));
    modelWritten = true;
  }
  if (project.displayName?.name.endsWith('-postgres')) await (serverChecked ??= checkServer());
}

async function checkServer(): Promise<void> {
  const probe = await probePostgres(TEST_POSTGRES_URL);
  if (!probe.ok) {
    throw new Error(
      `the postgres test projects need a Postgres with pgvector at TEST_POSTGRES_URL=${TEST_POSTGRES_URL} (${probe.reason}); ` +
        'run ../shared/tools/install-pgvector, or run `npm test`, which skips them when there is none',
    );
  }
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [
      TEST_DATABASE_PREFIX,
    ]);
    for (const { datname } of rows) {
      const pid = Number(/^paperfeed_test_(\d+)_/.exec(datname)?.[1]);
      if (pid && !alive(pid)) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
