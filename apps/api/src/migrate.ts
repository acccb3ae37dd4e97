/** `npm run migrate`: applies pending migrations and exits. The api also does this at startup. */
import 'reflect-metadata';
import { exitOnStartupError, loadConfig, withEmbeddedRuntime } from '@paperfeed/config';
import { migrate } from '@paperfeed/db';

migrate(withEmbeddedRuntime(loadConfig()).databaseUrl).catch(exitOnStartupError);
