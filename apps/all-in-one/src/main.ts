/**
 * `npm start`: paperfeed on one machine. Starts the embedded database (unless DATABASE_URL is
 * set), a private Redis (only when none answers at REDIS_URL and redis-server is installed),
 * applies migrations, then runs the api and one worker as child processes — the same programs
 * `npm run start:api` and `npm run start:worker` run. If any of them dies, everything stops.
 */
import { ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import {
  AppConfig,
  exitOnStartupError,
  loadConfig,
  readEmbeddedRuntime,
  removeEmbeddedRuntime,
  StartupError,
  writeEmbeddedRuntime,
} from '@paperfeed/config';
import { migrate } from '@paperfeed/db';
import { freePort } from './free-port';

/** Redis and the database, in start order; then the api and worker. */
const infrastructure: ChildProcess[] = [];
const apps: ChildProcess[] = [];
const log = (message: string) => process.stdout.write(`[paperfeed] ${message}\n`);

/** ADMIN_TOKEN, or the one stored in DATA_DIR, or a new one (stored, and printed this once). */
function adminToken(config: AppConfig): string {
  if (config.adminToken) return config.adminToken;
  const file = path.join(config.dataDir, 'admin-token');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  log(`generated an admin token (stored in ${file}; shown only now): ${token}`);
  return token;
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** REDIS_URL if it answers; else a private redis-server (AOF on) under DATA_DIR/redis. */
async function ensureRedis(config: AppConfig): Promise<string | undefined> {
  if (await redisAnswers(config.redisUrl)) return undefined;
  if (!onPath('redis-server')) {
    throw new StartupError(
      `Redis does not answer at REDIS_URL=${config.redisUrl} and redis-server is not installed: ` +
        'install Redis (e.g. `apt-get install redis-server`) or set REDIS_URL to a running one',
    );
  }
  const dir = path.join(config.dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  infrastructure.push(redis);
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await redisAnswers(url)) {
      log(`no Redis at ${config.redisUrl}: started a private redis-server at ${url} (data in ${dir})`);
      return url;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new StartupError(`the private redis-server on port ${port} did not start`);
}

/** Starts the embedded database process and waits for the URL it prints. */
function startEmbeddedDatabase(config: AppConfig): Promise<string> {
  const dataDir = path.join(config.dataDir, 'pg');
  const child = fork(path.join(__dirname, '../../../libs/db/src/embedded/main.js'), [dataDir], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  infrastructure.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new StartupError(`the embedded database exited during startup (code ${code})`)));
  });
}

function startApp(name: 'api' | 'worker', env: NodeJS.ProcessEnv): ChildProcess {
  const child = fork(path.join(__dirname, `../../${name}/src/main.js`), [], { env, stdio: 'inherit' });
  apps.push(child);
  return child;
}

let shuttingDown = false;

function stop(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** api and worker first (they finish in-flight work), then the database, then Redis. */
async function shutdown(code: number, dataDir: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  await Promise.all(apps.map(stop));
  for (const child of [...infrastructure].reverse()) await stop(child);
  removeEmbeddedRuntime(dataDir);
  process.exit(code);
}

async function main(config: AppConfig): Promise<void> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const running = readEmbeddedRuntime(config.dataDir);
  if (running) throw new StartupError(`paperfeed is already running for DATA_DIR=${config.dataDir} (pid ${running.pid})`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(0, config.dataDir));

  const token = adminToken(config);
  const privateRedis = await ensureRedis(config);
  const redisUrl = privateRedis ?? config.redisUrl;
  const databaseUrl = config.databaseUrl ?? (await startEmbeddedDatabase(config));
  if (!config.databaseUrl) writeEmbeddedRuntime(config.dataDir, { pid: process.pid, databaseUrl, redisUrl: privateRedis });
  await migrate(databaseUrl);

  const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, ADMIN_TOKEN: token };
  for (const child of [startApp('api', env), startApp('worker', env)]) {
    child.once('exit', (code, signal) => {
      if (shuttingDown) return;
      log(`a child process exited (${signal ?? `code ${code}`}): stopping`);
      void shutdown(code || 1, config.dataDir);
    });
  }
  log(`api on http://localhost:${config.port} (OpenAPI UI at /docs), worker running; Ctrl-C stops everything`);
}

function start(): void {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    exitOnStartupError(error);
  }
  main(config).catch(async (error: unknown) => {
    process.stderr.write(error instanceof StartupError ? `${error.message}\n` : `${(error as Error)?.stack ?? String(error)}\n`);
    await shutdown(error instanceof StartupError ? 78 : 1, config.dataDir);
  });
}

start();
