import { createDataSource, DatabaseUnusableError, runMigrations } from './data-source';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded/pglite-server';

describe('a Postgres without pgvector', () => {
  let plainPostgres: EmbeddedPostgres;

  beforeAll(async () => {
    // Exactly the misconfiguration to report clearly (the machine's own Postgres has pgvector).
    plainPostgres = await startEmbeddedPostgres({ pgvector: false });
  });

  afterAll(async () => {
    await plainPostgres?.stop();
  });

  it('is refused before any migration, with a message that says what to do', async () => {
    const dataSource = createDataSource(plainPostgres.url, { poolSize: 2 });
    await dataSource.initialize();
    try {
      const migrationsTable = async () => (await dataSource.query(`SELECT to_regclass('public.migrations') AS t`))[0].t;
      const before = await migrationsTable();
      await expect(runMigrations(dataSource)).rejects.toThrow(DatabaseUnusableError);
      await expect(runMigrations(dataSource)).rejects.toThrow(/without the pgvector extension/);
      expect(await migrationsTable()).toBe(before);
    } finally {
      await dataSource.destroy();
    }
  });
});
