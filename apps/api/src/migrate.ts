/** `npm run migrate`: applies pending migrations and exits. The api also does this at startup. */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { exitOnStartupError, loadConfig, withEmbeddedRuntime } from '@paperfeed/config';
import { createDataSource, runMigrations } from '@paperfeed/db';

/** Applies pending migrations under an advisory lock, so concurrent starts are safe. */
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

if (require.main === module) {
  migrate(withEmbeddedRuntime(loadConfig()).databaseUrl).catch(exitOnStartupError);
}
