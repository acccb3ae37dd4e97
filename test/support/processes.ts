import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { freePort } from '../../apps/all-in-one/src/free-port';
import { ROOT, waitFor } from './env';

export { freePort };

export interface AppProcess {
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs a built program (npm test builds first) as a real process. */
export function spawnBuilt(entry: string, env: Record<string, string>): AppProcess {
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
  await waitFor(async () => {
    if (app.child.exitCode !== null) throw new Error(`api exited: ${app.output()}`);
    return fetch(`${url}/health/live`).then((r) => r.ok, () => false);
  }, 'the api to listen', 30_000);
  return { app, url };
}

export async function startWorker(env: Record<string, string>): Promise<AppProcess> {
  const app = spawnBuilt('apps/worker/src/main.js', env);
  await waitFor(async () => {
    if (app.child.exitCode !== null) throw new Error(`worker exited: ${app.output()}`);
    return app.output().includes('consuming');
  }, 'the worker to consume', 30_000);
  return app;
}
