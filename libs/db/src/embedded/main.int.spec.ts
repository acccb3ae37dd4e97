import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

/** The embedded database process as the supervisor runs it (TypeScript through ts-node here). */
function startProcess(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperfeed-pg-main-'));
  const child = spawn(
    process.execPath,
    ['--require', 'ts-node/register/transpile-only', '--require', 'tsconfig-paths/register', path.join(__dirname, 'main.ts'), dataDir],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function urlOf(output: () => string, child: ChildProcess): Promise<string> {
  for (let waited = 0; waited < 60_000; waited += 50) {
    const line = output()
      .split('\n')
      .find((l) => l.startsWith('{'));
    if (line) return (JSON.parse(line) as { url: string }).url;
    if (child.exitCode !== null) throw new Error(`the database process exited: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the database process printed no url');
}

describe('the embedded database process', () => {
  const running: ChildProcess[] = [];

  afterAll(() => {
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('exits promptly on SIGTERM while a client holds a transaction and another sent a malformed message', async () => {
    const { child, output } = startProcess({ EMBEDDED_PG_PASSWORD: 'secret', EMBEDDED_PG_PORT: '0' });
    running.push(child);
    const url = await urlOf(output, child);
    expect(url).toMatch(/^postgres:\/\/postgres:secret@127\.0\.0\.1:\d+\/postgres$/);

    const holder = new Client({ connectionString: url });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('CREATE TABLE held (v int)');
    // The 12 bytes that used to wedge PGlite, and with it the process's event loop and signals.
    const malformed = new Client({ connectionString: url });
    malformed.on('error', () => undefined);
    await malformed.connect();
    (malformed as unknown as { connection: { stream: net.Socket } }).connection.stream.write(
      Buffer.from('510000000053454c45435431', 'hex'),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    const started = Date.now();
    child.kill('SIGTERM');
    const { code } = await exitOf(child);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(code).toBe(0);
  });

  it('refuses to start without EMBEDDED_PG_PASSWORD, in one line', async () => {
    const { child, output } = startProcess({ EMBEDDED_PG_PASSWORD: '' });
    running.push(child);
    const { code } = await exitOf(child);
    expect(code).toBe(78);
    expect(output().trim()).toBe('embedded database: EMBEDDED_PG_PASSWORD is required (the password clients must give)');
  });
});
