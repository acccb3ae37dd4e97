import { ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Embedder, EmbedderOptions, modelKeyOf } from './embedder';
import { HostMessage, HostRequest } from './host-protocol';
import { ModelLoadError } from './transformers-embedder';

export type EmbedRunner = 'thread' | 'process';

/** The compiled host next to this file, or (under ts-jest) the TypeScript source via ts-node. */
function hostEntry(): { file: string; execArgv: string[] } {
  const compiled = path.join(__dirname, 'embedding-host.js');
  if (fs.existsSync(compiled)) return { file: compiled, execArgv: [] };
  return {
    file: path.join(__dirname, 'embedding-host.ts'),
    execArgv: ['--require', 'ts-node/register/transpile-only', '--require', 'tsconfig-paths/register'],
  };
}

/**
 * Runs a TransformersEmbedder in a worker thread or a child process, so inference (hundreds of
 * milliseconds per batch) never blocks the caller's event loop: BullMQ lock renewals, health
 * checks and database I/O go on while a batch is embedded.
 */
export class OffLoopEmbedder implements Embedder {
  readonly modelKey: string;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();
  private exitError: Error | undefined;

  private constructor(
    private readonly host: Worker | ChildProcess,
    readonly dimensions: number,
    options: EmbedderOptions,
  ) {
    this.modelKey = modelKeyOf(options);
    host.on('message', (message: HostMessage) => this.onMessage(message));
    host.on('exit', (code) => {
      this.exitError = new Error(`embedding host exited (code ${code})`);
      for (const { reject } of this.pending.values()) reject(this.exitError);
      this.pending.clear();
    });
  }

  static async start(options: EmbedderOptions, runner: EmbedRunner = 'thread'): Promise<OffLoopEmbedder> {
    const entry = hostEntry();
    const host: Worker | ChildProcess =
      runner === 'thread'
        ? new Worker(entry.file, { workerData: options, execArgv: entry.execArgv })
        : fork(entry.file, [], { execArgv: entry.execArgv, serialization: 'advanced' });
    if (runner === 'process') (host as ChildProcess).send(options);
    const dimensions = await new Promise<number>((resolve, reject) => {
      const onExit = (code: number) => reject(new ModelLoadError(`embedding host exited during model load (code ${code})`));
      host.once('exit', onExit);
      host.once('error', reject);
      host.once('message', (message: HostMessage) => {
        host.off('exit', onExit);
        if (message.type === 'ready') resolve(message.dimensions);
        else if (message.type === 'load-failed') reject(new ModelLoadError(message.message));
        else reject(new Error(`unexpected message from embedding host: ${message.type}`));
      });
    }).catch(async (error) => {
      await terminate(host);
      throw error;
    });
    return new OffLoopEmbedder(host, dimensions, options);
  }

  embed(texts: string[]): Promise<Float32Array[]> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    const request: HostRequest = { id, texts };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.host instanceof Worker) this.host.postMessage(request);
      else this.host.send(request);
    });
  }

  private onMessage(message: HostMessage): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.type === 'error') waiter.reject(new Error(message.message));
    else waiter.resolve(message.vectors);
  }

  async close(): Promise<void> {
    await terminate(this.host);
  }
}

async function terminate(host: Worker | ChildProcess): Promise<void> {
  if (host instanceof Worker) {
    await host.terminate();
    return;
  }
  if (host.exitCode !== null || host.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    host.once('exit', () => resolve());
    host.kill('SIGTERM');
  });
}
