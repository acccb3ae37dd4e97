import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig, StartupError } from './config';

/**
 * What `npm start` publishes in DATA_DIR for other processes of the same user (the file is mode
 * 0600): the embedded database's URL, with its password, and, when it started a private Redis,
 * that Redis. `npm run start:worker` with the same DATA_DIR and no DATABASE_URL joins it, which
 * is how extra workers scale out locally.
 */
export interface EmbeddedRuntime {
  pid: number;
  databaseUrl: string;
  redisUrl?: string;
}

export function runtimeFilePath(dataDir: string): string {
  return path.join(dataDir, 'embedded.json');
}

/** Whether a process with this pid runs (signal 0 only asks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The running embedded runtime of this DATA_DIR, or undefined (a stale file is ignored). */
export function readEmbeddedRuntime(dataDir: string): EmbeddedRuntime | undefined {
  try {
    const runtime = JSON.parse(fs.readFileSync(runtimeFilePath(dataDir), 'utf8')) as EmbeddedRuntime;
    return isAlive(runtime.pid) ? runtime : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the file readable by its owner only (mode 0600: the database URL holds the password),
 * through a temporary file and a rename, so a reader never sees half of it.
 */
export function writeEmbeddedRuntime(dataDir: string, runtime: EmbeddedRuntime): void {
  const file = runtimeFilePath(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.rmSync(temporary, { force: true });
  fs.writeFileSync(temporary, JSON.stringify(runtime, null, 2), { mode: 0o600, flag: 'wx' });
  fs.chmodSync(temporary, 0o600); // whatever the umask
  fs.renameSync(temporary, file);
}

export function removeEmbeddedRuntime(dataDir: string): void {
  fs.rmSync(runtimeFilePath(dataDir), { force: true });
}

/**
 * DATABASE_URL, or else the embedded database that `npm start` runs for this DATA_DIR (and its
 * private Redis when REDIS_URL was not set).
 */
export function withEmbeddedRuntime(
  config: AppConfig,
  env: Record<string, string | undefined> = process.env,
): AppConfig & { databaseUrl: string } {
  if (config.databaseUrl) return config as AppConfig & { databaseUrl: string };
  const runtime = readEmbeddedRuntime(config.dataDir);
  if (!runtime) {
    throw new StartupError(
      `DATABASE_URL is not set and no embedded database is running for DATA_DIR=${config.dataDir}: ` +
        'set DATABASE_URL to a Postgres with pgvector, or run `npm start`, which runs the embedded one',
    );
  }
  const redisUrl = env.REDIS_URL?.trim() ? config.redisUrl : (runtime.redisUrl ?? config.redisUrl);
  return { ...config, databaseUrl: runtime.databaseUrl, redisUrl };
}
