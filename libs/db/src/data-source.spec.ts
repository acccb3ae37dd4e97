import { createDataSource, DatabaseUnusableError, runMigrations } from './data-source';

// The machine's own Postgres 15 has no pgvector: exactly the misconfiguration to report clearly.
const PLAIN_POSTGRES = process.env.PLAIN_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('a Postgres without pgvector', () => {
  it('is refused before any migration, with a message that says what to do', async () => {
    const dataSource = createDataSource(PLAIN_POSTGRES, { poolSize: 2 });
    try {
      await dataSource.initialize();
    } catch (error) {
      throw new Error(`this test needs the plain Postgres at ${PLAIN_POSTGRES}: ${(error as Error).message}`);
    }
    try {
      const migrationsTable = async () =>
        (await dataSource.query(`SELECT to_regclass('public.migrations') AS t`))[0].t;
      const before = await migrationsTable();
      await expect(runMigrations(dataSource)).rejects.toThrow(DatabaseUnusableError);
      await expect(runMigrations(dataSource)).rejects.toThrow(/without the pgvector extension/);
      expect(await migrationsTable()).toBe(before);
    } finally {
      await dataSource.destroy();
    }
  });
});
