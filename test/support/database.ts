import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, EmbeddedPostgres, runMigrations, startEmbeddedPostgres } from '@paperfeed/db';
import { TEST_DATABASE_PREFIX, TEST_POSTGRES_URL } from './server-postgres';

/** Which database a test tier runs on; each jest project sets PAPERFEED_TEST_DB in its setup file. */
export type TestDatabaseKind = 'embedded' | 'postgres';

export { TEST_DATABASE_PREFIX, TEST_POSTGRES_URL };

export function testDatabaseKind(): TestDatabaseKind {
  const kind = process.env.PAPERFEED_TEST_DB ?? 'embedded';
  if (kind === 'embedded' || kind === 'postgres') return kind;
  throw new Error(
    `PAPERFEED_TEST_DB=${kind}: this test tier has no database (unit tests use neither Redis nor a database); ` +
      'name the file *.int.spec.ts (or test/e2e/*.e2e.spec.ts) to run it against real Redis and a database',
  );
}

/** `it` on the given database's tiers, `it.skip` on the other's (for a test inherently about one database). */
export const itOn = (kind: TestDatabaseKind): jest.It => (process.env.PAPERFEED_TEST_DB === kind ? it : it.skip);

export interface TestDatabase {
  kind: TestDatabaseKind;
  /** The embedded database's wire server; undefined on the server Postgres. */
  server: EmbeddedPostgres | undefined;
  dataSource: DataSource;
  url: string;
  stop(): Promise<void>;
}

/**
 * A fresh, migrated database of the tier's kind: an in-memory PGlite (with pgvector) behind the
 * wire server, or a new database on the server Postgres at TEST_POSTGRES_URL, dropped by stop().
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  return testDatabaseKind() === 'postgres' ? startServerDatabase() : startEmbeddedDatabase();
}

async function startEmbeddedDatabase(): Promise<TestDatabase> {
  const server = await startEmbeddedPostgres();
  const dataSource = await createDataSource(server.url, { poolSize: 4 }).initialize();
  await runMigrations(dataSource);
  return {
    kind: 'embedded',
    server,
    dataSource,
    url: server.url,
    async stop() {
      await dataSource.destroy();
      await server.stop();
    },
  };
}

async function onServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `the postgres test tiers need a Postgres with pgvector at TEST_POSTGRES_URL=${TEST_POSTGRES_URL}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startServerDatabase(): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer(async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}"`);
        return;
      } catch (error) {
        // 55006: another session is using template1 for a moment (e.g. a concurrent CREATE DATABASE).
        if ((error as { code?: string }).code !== '55006' || attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  const drop = () => onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  let dataSource: DataSource | undefined;
  try {
    dataSource = await createDataSource(url.toString(), { poolSize: 4 }).initialize();
    await runMigrations(dataSource);
  } catch (error) {
    await dataSource?.destroy().catch(() => undefined);
    await drop().catch(() => undefined);
    throw error;
  }
  const ready = dataSource;
  return {
    kind: 'postgres',
    server: undefined,
    dataSource: ready,
    url: url.toString(),
    async stop() {
      await ready.destroy().catch(() => undefined);
      await drop();
    },
  };
}
