/**
 * `npm start`: paperfeed on one machine. Starts a private Redis (only when none answers at
 * REDIS_URL and redis-server is installed), the embedded database (unless DATABASE_URL is set),
 * applies migrations, then runs the api and one worker as child processes — the same programs
 * `npm run start:api` and `npm run start:worker` run — and supervises them all (./supervisor.ts):
 * a child that dies is restarted with backoff, the database on the same port with the same
 * password, so the api and worker reconnect by themselves. SIGINT/SIGTERM stop everything: the
 * api and worker first (they drain), then the database, then Redis; all gone within 15 s.
 */
import { ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import {
  AppConfig,
  exitOnStartupError,
  loadConfig,
  readEmbeddedRuntime,
  removeEmbeddedRuntime,
  runtimeFilePath,
  StartupError,
  writeEmbeddedRuntime,
} from '@paperfeed/config';
import { migrate } from '@paperfeed/db';
import { freePort } from './free-port';
import { ChildStartError, StopStage, Supervisor } from './supervisor';

const log = (message: string) => process.stdout.write(`[paperfeed] ${message}\n`);
const supervisor = new Supervisor(log);

/**
 * The stop order, and how long each stage may take before SIGKILL: 7 + 4 + 2 s < 15 s (the
 * database gives PGlite 3 s to flush its files before it exits by itself).
 */
const STOP_STAGES: StopStage[] = [
  { names: ['api', 'worker'], graceMs: 7000 },
  { names: ['database'], graceMs: 4000 },
  { names: ['redis'], graceMs: 2000 },
];
/** Whatever happens, the launcher is gone this long after a stop began. */
const STOP_DEADLINE_MS = 14_000;

/** Reads a secret stored in DATA_DIR, or makes and stores one (mode 0600) on first use. */
function storedSecret(file: string, make: () => string): { value: string; created: boolean } {
  if (fs.existsSync(file)) {
    const value = fs.readFileSync(file, 'utf8').trim();
    if (value) {
      if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
      return { value, created: false };
    }
  }
  const value = make();
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return { value, created: true };
}

/** ADMIN_TOKEN, or the one stored in DATA_DIR, or a new one (stored, and printed this once). */
function adminToken(config: AppConfig): string {
  if (config.adminToken) return config.adminToken;
  const file = path.join(config.dataDir, 'admin-token');
  const token = storedSecret(file, () => randomBytes(24).toString('base64url'));
  if (token.created) log(`generated an admin token (stored in ${file}; shown only now): ${token.value}`);
  return token.value;
}

/** The embedded database's password: generated once into DATA_DIR/db-password, reused after. */
function databasePassword(config: AppConfig): string {
  return storedSecret(path.join(config.dataDir, 'db-password'), () => randomBytes(24).toString('hex')).value;
}

function redisClient(url: string): Redis {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  client.on('error', () => undefined);
  return client;
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = redisClient(url);
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

/**
 * Whether a Redis holds keys that are not paperfeed's (outside `prefix`). Looks at a bounded
 * number of keys with SCAN (never KEYS, which blocks a big Redis).
 */
async function holdsForeignKeys(url: string, prefix: string, budget = { count: 100, rounds: 10 }): Promise<boolean> {
  const client = redisClient(url);
  try {
    await client.connect();
    let cursor = '0';
    for (let round = 0; round < budget.rounds; round++) {
      const [next, keys] = await client.scan(cursor, 'COUNT', budget.count);
      if (keys.some((key) => !key.startsWith(prefix))) return true;
      cursor = next;
      if (cursor === '0') break;
    }
    return false;
  } catch {
    return false; // a Redis we cannot scan is not worth a warning; the api reports Redis trouble
  } finally {
    client.disconnect();
  }
}

/** At the default REDIS_URL, says so when another app's keys are there too. */
async function warnIfSharedRedis(config: AppConfig): Promise<void> {
  if (process.env.REDIS_URL?.trim()) return; // chosen explicitly
  if (!(await holdsForeignKeys(config.redisUrl, config.queuePrefix))) return;
  log(
    `the Redis at ${config.redisUrl} (the default REDIS_URL) also holds another app's keys; paperfeed's all start with ` +
      `${config.queuePrefix} (QUEUE_PREFIX); to give paperfeed a Redis of its own, set REDIS_URL ` +
      `(e.g. redis://127.0.0.1:6379/1, or another redis-server)`,
  );
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function waitForExit(child: ChildProcess): Promise<never> {
  return new Promise((_, reject) => child.once('exit', (code, signal) => reject(new Error(`exited (${signal ?? `code ${code}`})`))));
}

/**
 * A launcher that was killed (SIGKILL) leaves its private redis-server running on the AOF dir. A
 * new one on the same dir would write the same files: shut the old one down first (SHUTDOWN
 * writes out its append-only file).
 */
async function stopLeftoverRedis(config: AppConfig, dir: string): Promise<void> {
  let leftover: string | undefined;
  try {
    leftover = (JSON.parse(fs.readFileSync(runtimeFilePath(config.dataDir), 'utf8')) as { redisUrl?: string }).redisUrl;
  } catch {
    return;
  }
  if (!leftover || !(await redisAnswers(leftover))) return;
  const client = redisClient(leftover);
  try {
    await client.connect();
    const [, leftoverDir] = (await client.config('GET', 'dir')) as string[];
    if (path.resolve(leftoverDir) !== path.resolve(dir)) return;
    log(`stopping the private redis-server a previous run left at ${leftover}`);
    await client.shutdown().catch(() => undefined); // the connection closes as it goes
  } catch {
    // not ours to stop, or already gone
  } finally {
    client.disconnect();
  }
  for (let attempt = 0; attempt < 50 && (await redisAnswers(leftover)); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** REDIS_URL if it answers; else a supervised private redis-server (AOF on) under DATA_DIR/redis. */
async function ensureRedis(config: AppConfig): Promise<string | undefined> {
  if (await redisAnswers(config.redisUrl)) {
    await warnIfSharedRedis(config);
    return undefined;
  }
  if (!onPath('redis-server')) {
    throw new StartupError(
      `Redis does not answer at REDIS_URL=${config.redisUrl} and redis-server is not installed: ` +
        'install Redis (e.g. `apt-get install redis-server`) or set REDIS_URL to a running one',
    );
  }
  const dir = path.join(config.dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  await stopLeftoverRedis(config, dir);
  const port = await freePort(); // once per start: a restarted redis-server comes back on it
  const url = `redis://127.0.0.1:${port}`;
  // appendfsync always: a write Redis acknowledged survives a kill -9 of the redis-server.
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ];
  try {
    await supervisor.start({
      name: 'redis',
      // Its own process group: a Ctrl-C in the terminal reaches only the launcher, which stops Redis last.
      spawn: () => spawn('redis-server', args, { stdio: 'ignore', detached: true }),
      ready: async (child) => {
        const exited = waitForExit(child);
        exited.catch(() => undefined);
        for (let attempt = 0; attempt < 100; attempt++) {
          if (await Promise.race([redisAnswers(url), exited])) return;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error('did not answer within 10 s');
      },
    });
  } catch (error) {
    throw new StartupError(`the private redis-server on port ${port} did not start: ${(error as Error).message}`);
  }
  log(`no Redis at ${config.redisUrl}: started a private redis-server at ${url} (data in ${dir})`);
  return url;
}

/**
 * Starts the supervised embedded database process on a port chosen once for this start, with the
 * password from DATA_DIR, and waits for the URL it prints.
 */
async function startEmbeddedDatabase(config: AppConfig): Promise<string> {
  const dataDir = path.join(config.dataDir, 'pg');
  const port = await freePort();
  const env = { ...process.env, EMBEDDED_PG_PASSWORD: databasePassword(config), EMBEDDED_PG_PORT: String(port) };
  let url: string | undefined;
  const urlOf = (child: ChildProcess) =>
    new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
        if (output.length > 65_536) output = output.slice(-4096); // keep draining the pipe
      });
      waitForExit(child).catch(reject);
    });
  await supervisor
    .start({
      name: 'database',
      spawn: () =>
        fork(path.join(__dirname, '../../../libs/db/src/embedded/main.js'), [dataDir], {
          env,
          stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
          detached: true,
        }),
      ready: async (child) => {
        const printed = await urlOf(child);
        if (url === undefined) url = printed;
        else if (printed !== url) log(`the restarted database answers at a different URL than the api and worker use`);
      },
    })
    .catch((error: unknown) => {
      throw error instanceof ChildStartError ? new StartupError(`the embedded database ${error.message.replace(/^database /, '')}`) : error;
    });
  return url!;
}

function appSpec(name: 'api' | 'worker', env: NodeJS.ProcessEnv) {
  return {
    name,
    spawn: () =>
      fork(path.join(__dirname, `../../${name}/src/main.js`), [], {
        env,
        stdio: 'inherit',
        detached: true,
        execArgv: [...process.execArgv, '-r', path.join(__dirname, 'exit-with-parent.js')],
      }),
  };
}

/** The worker's inference leaves a core to the api on the same machine, unless EMBED_THREADS says otherwise. */
function workerThreads(): NodeJS.ProcessEnv {
  if (process.env.EMBED_THREADS?.trim()) return {};
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  return { EMBED_THREADS: String(Math.max(1, cores - 1)) };
}

let shuttingDown = false;
let wroteRuntime = false;

/** No more restarts; api and worker first (they finish in-flight work), then the database, then Redis. */
async function shutdown(code: number, dataDir: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  const deadline = setTimeout(() => {
    log('children did not stop in time: exiting');
    for (const name of ['api', 'worker', 'database', 'redis']) supervisor.process(name)?.kill('SIGKILL');
    if (wroteRuntime) removeEmbeddedRuntime(dataDir);
    process.exit(code);
  }, STOP_DEADLINE_MS);
  deadline.unref();
  log('stopping: the api and worker (they finish their work), then the database, then Redis');
  await supervisor.stop(STOP_STAGES);
  log('stopped');
  if (wroteRuntime) removeEmbeddedRuntime(dataDir);
  process.exit(code);
}

async function main(config: AppConfig): Promise<void> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const running = readEmbeddedRuntime(config.dataDir);
  if (running) throw new StartupError(`paperfeed is already running for DATA_DIR=${config.dataDir} (pid ${running.pid})`);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0, config.dataDir));

  const token = adminToken(config);
  const privateRedis = await ensureRedis(config);
  const redisUrl = privateRedis ?? config.redisUrl;
  const databaseUrl = config.databaseUrl ?? (await startEmbeddedDatabase(config));
  if (!config.databaseUrl) {
    writeEmbeddedRuntime(config.dataDir, { pid: process.pid, databaseUrl, redisUrl: privateRedis });
    wroteRuntime = true;
  }
  await migrate(databaseUrl);

  const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, ADMIN_TOKEN: token, HOST: config.host };
  await supervisor.start(appSpec('api', env));
  await supervisor.start(appSpec('worker', { ...env, ...workerThreads() }));
  const shown = ['127.0.0.1', '0.0.0.0', '::', '::1'].includes(config.host) ? 'localhost' : config.host;
  log(`api on http://${shown}:${config.port} (OpenAPI UI at /docs), worker running; Ctrl-C stops everything`);
}

function start(): void {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    exitOnStartupError(error);
  }
  main(config).catch(async (error: unknown) => {
    if (shuttingDown) return; // a signal came during startup: the stop already runs
    process.stderr.write(error instanceof StartupError ? `${error.message}\n` : `${(error as Error)?.stack ?? String(error)}\n`);
    await shutdown(error instanceof StartupError ? 78 : 1, config.dataDir);
  });
}

start();
