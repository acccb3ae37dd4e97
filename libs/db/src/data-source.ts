import { DataSource } from 'typeorm';
import { StartupError } from '@paperfeed/config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export function createDataSource(url: string, options: { poolSize?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    poolSize: options.poolSize ?? 10,
    extra: { connectionTimeoutMillis: 5000 },
  });
}

/** Thrown when the database cannot serve paperfeed (no pgvector, or unreachable). */
export class DatabaseUnusableError extends StartupError {}

/** Fails with a clear message when the server lacks pgvector, before anything else touches it. */
export async function assertPgvectorAvailable(dataSource: DataSource): Promise<void> {
  const rows: { name: string }[] = await dataSource.query(`SELECT name FROM pg_available_extensions WHERE name = 'vector'`);
  if (rows.length === 0) {
    throw new DatabaseUnusableError(
      'DATABASE_URL points at a Postgres without the pgvector extension ("vector"); install pgvector ' +
        '(e.g. the pgvector/pgvector image) or unset DATABASE_URL to use the embedded database',
    );
  }
}

const MIGRATION_LOCK = 7_294_110_301;

/**
 * Applies pending migrations once, even when several processes start together: they queue on a
 * Postgres advisory lock, and those that come second find nothing left to do.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  await assertPgvectorAvailable(dataSource);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/** Workers never migrate: they refuse to start on a schema that is not up to date. */
export async function assertSchemaCurrent(dataSource: DataSource): Promise<void> {
  if (await dataSource.showMigrations()) {
    throw new DatabaseUnusableError('the database schema is not up to date: run `npm run migrate` (or start the api, which migrates)');
  }
}
