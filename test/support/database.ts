import { DataSource } from 'typeorm';
import { createDataSource, EmbeddedPostgres, runMigrations, startEmbeddedPostgres } from '@paperfeed/db';

export interface TestDatabase {
  server: EmbeddedPostgres;
  dataSource: DataSource;
  url: string;
  stop(): Promise<void>;
}

/** A fresh in-memory PGlite (with pgvector) behind the wire server, migrated. */
export async function startTestDatabase(): Promise<TestDatabase> {
  const server = await startEmbeddedPostgres();
  const dataSource = await createDataSource(server.url, { poolSize: 4 }).initialize();
  await runMigrations(dataSource);
  return {
    server,
    dataSource,
    url: server.url,
    async stop() {
      await dataSource.destroy();
      await server.stop();
    },
  };
}
