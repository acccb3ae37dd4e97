import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { freePort } from '../../apps/all-in-one/src/free-port';
import { ROOT, waitFor } from './env';
import { TEST_POSTGRES_URL } from './server-postgres';

export { freePort };

export interface AppProcess {
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Tests never write to the server Postgres's own database (the api migrates what it is given):
 * each uses a fresh one from startTestDatabase().
 */
function refuseServerDatabase(databaseUrl: string | undefined): void {
  if (!databaseUrl) return;
  const given = new URL(databaseUrl);
  const server = new URL(TEST_POSTGRES_URL);
  const database = (url: URL) => decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  if (given.hostname === server.hostname && (given.port || '5432') === (server.port || '5432') && database(given) === database(server)) {
    throw new Error(
      `a test process must not use the server Postgres's own database (${databaseUrl}): start a fresh one with startTestDatabase()`,
    );
  }
}

/** Runs a built program (npm test builds first) as a real process. */
export function spawnBuilt(entry: string, env: Record<string, string>): AppProcess {
  refuseServerDatabase(env.DATABASE_URL);
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', entry)], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export function exitOf(app: AppProcess): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    if (app.child.exitCode !== null) return resolve({ code: app.child.exitCode, output: app.output() });
    app.child.once('exit', (code) => setImmediate(() => resolve({ code, output: app.output() })));
  });
}

export async function startApi(env: Record<string, string>): Promise<{ app: AppProcess; url: string }> {
  const port = await freePort();
  const app = spawnBuilt('apps/api/src/main.js', { ...env, PORT: String(port), HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (app.child.exitCode !== null) throw new Error(`api exited: ${app.output()}`);
      return fetch(`${url}/health/live`).then(
        (r) => r.ok,
        () => false,
      );
    },
    'the api to listen',
    30_000,
  );
  return { app, url };
}

export async function startWorker(env: Record<string, string>): Promise<AppProcess> {
  const app = spawnBuilt('apps/worker/src/main.js', env);
  await waitFor(
    async () => {
      if (app.child.exitCode !== null) throw new Error(`worker exited: ${app.output()}`);
      return app.output().includes('consuming');
    },
    'the worker to consume',
    30_000,
  );
  return app;
}
