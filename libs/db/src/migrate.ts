import { Logger } from '@nestjs/common';
import { createDataSource, runMigrations } from './data-source';

/**
 * Applies pending migrations under an advisory lock, so concurrent starts are safe. Used by
 * `npm run migrate`, the api at startup and `npm start` before it starts the api and worker.
 */
export async function migrate(url: string): Promise<string[]> {
  const dataSource = await createDataSource(url, { poolSize: 2 }).initialize();
  try {
    const applied = await runMigrations(dataSource);
    if (applied.length) new Logger('Migrations').log(`applied ${applied.join(', ')}`);
    return applied;
  } finally {
    await dataSource.destroy();
  }
}
