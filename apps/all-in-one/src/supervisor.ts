/**
 * Keeps `npm start`'s child processes running: a child that exits while paperfeed is not stopping
 * is started again after a delay that doubles with each consecutive restart (0.5 s, 1 s, 2 s, …,
 * at most 30 s) and starts over once the child had run 60 s. Each exit and each restart is one
 * log line. Stopping stops the children in stages (api and worker, then the database, then Redis),
 * each with a deadline after which what is still alive gets SIGKILL.
 *
 * Everything that touches the world (spawning, clocks, the log) comes in from outside, so the
 * schedule and the bookkeeping are tested without processes or time passing.
 */

export interface BackoffOptions {
  /** Delay before the first restart. */
  initialMs: number;
  /** The delay never exceeds this. */
  maxMs: number;
  /** A child that ran at least this long before it exited was healthy: its next delay is initialMs again. */
  healthyMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, healthyMs: 60_000 };

/** The delay before the n-th consecutive restart (n ≥ 1): initialMs · 2^(n−1), at most maxMs. */
export function restartDelay(consecutive: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(consecutive));
  // 2^(n−1) overflows to Infinity for large n; min() keeps the cap.
  return Math.min(options.maxMs, options.initialMs * 2 ** (n - 1));
}

/** One child's restart schedule. */
export class Backoff {
  private consecutive = 0;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** The child exited after running `ranMs`: the delay before starting it again. */
  next(ranMs: number): number {
    if (ranMs >= this.options.healthyMs) this.consecutive = 0;
    this.consecutive += 1;
    return restartDelay(this.consecutive, this.options);
  }
}

/** "signal SIGKILL" or "code 1". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

/** 500 → "0.5 s", 1000 → "1 s", 30000 → "30 s". */
export function formatDelay(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** The part of a ChildProcess the supervisor uses. */
export interface SupervisedProcess {
  readonly pid?: number;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal?: NodeJS.Signals): boolean;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}

export interface ChildSpec<P extends SupervisedProcess = SupervisedProcess> {
  /** As logged: "database", "redis", "api", "worker". */
  name: string;
  /** Starts the process (the same way every time: same port, same password, same data). */
  spawn(): P;
  /**
   * Resolves once the process is ready (e.g. the database printed its URL); rejects if it exits
   * first. Only the first start waits for it; without it a child is ready once spawned.
   */
  ready?(child: P): Promise<void>;
}

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface StopStage {
  names: string[];
  /** How long the stage's children get after SIGTERM before SIGKILL. */
  graceMs: number;
}

interface Supervised {
  spec: ChildSpec<SupervisedProcess>;
  child?: SupervisedProcess;
  startedAt: number;
  backoff: Backoff;
  restarts: number;
  timer?: unknown;
}

/** A child that failed its first start: paperfeed does not start. */
export class ChildStartError extends Error {}

export class Supervisor {
  private readonly children = new Map<string, Supervised>();
  private stopping = false;

  constructor(
    private readonly log: (line: string) => void,
    private readonly clock: Clock = realClock,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  /** The running process of a child (undefined while it waits for a restart). */
  process(name: string): SupervisedProcess | undefined {
    const child = this.children.get(name)?.child;
    return child && child.exitCode === null && child.signalCode === null ? child : undefined;
  }

  /** How often a child was restarted. */
  restarts(name: string): number {
    return this.children.get(name)?.restarts ?? 0;
  }

  /**
   * Starts a child and waits until it is ready; from then on it is restarted whenever it exits.
   * A child that exits before it is ready the first time is a startup error (ChildStartError).
   */
  async start<P extends SupervisedProcess>(spec: ChildSpec<P>): Promise<P> {
    if (this.stopping) throw new ChildStartError(`not starting ${spec.name}: stopping`);
    if (this.children.has(spec.name)) throw new Error(`${spec.name} is already supervised`);
    const entry: Supervised = {
      spec: spec as unknown as ChildSpec<SupervisedProcess>,
      startedAt: 0,
      backoff: new Backoff(this.backoff),
      restarts: 0,
    };
    this.children.set(spec.name, entry);
    const child = spec.spawn();
    entry.child = child;
    entry.startedAt = this.clock.now();
    let supervised = false;
    const ready = new Promise<void>((resolve, reject) => {
      child.once('exit', (code, signal) => {
        if (supervised) return this.exited(entry, child, code, signal);
        reject(new ChildStartError(`${spec.name} exited during startup (${describeExit(code, signal)})`));
      });
      Promise.resolve(spec.ready ? spec.ready(child) : undefined).then(resolve, reject);
    });
    try {
      await ready;
    } catch (error) {
      // Not ready and not (yet) gone: it will not become ready, so it must not linger.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      throw error;
    }
    supervised = true;
    if (child.exitCode !== null || child.signalCode !== null) this.exited(entry, child, child.exitCode, child.signalCode);
    return child;
  }

  private exited(entry: Supervised, child: SupervisedProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || entry.child !== child) return;
    const ranMs = this.clock.now() - entry.startedAt;
    const delay = entry.backoff.next(ranMs);
    entry.restarts += 1;
    const restart = entry.restarts;
    this.log(`${entry.spec.name} exited (${describeExit(code, signal)}); restarting in ${formatDelay(delay)} (restart ${restart})`);
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = undefined;
      if (this.stopping) return;
      this.respawn(entry, restart);
    }, delay);
  }

  private respawn(entry: Supervised, restart: number): void {
    let child: SupervisedProcess;
    try {
      child = entry.spec.spawn();
    } catch (error) {
      // Could not even spawn (e.g. out of processes): counts as an exit, so it backs off too.
      this.log(`${entry.spec.name} could not be started: ${(error as Error).message}`);
      const failed: SupervisedProcess = { exitCode: 1, signalCode: null, kill: () => false, once: () => undefined };
      entry.child = failed;
      entry.startedAt = this.clock.now();
      return this.exited(entry, failed, 1, null);
    }
    entry.child = child;
    entry.startedAt = this.clock.now();
    child.once('exit', (code, signal) => this.exited(entry, child, code, signal));
    // Readiness of a restarted child is its own business (e.g. the database prints its URL again);
    // a restarted child that never gets ready still exits, and that is an exit like any other.
    if (entry.spec.ready) entry.spec.ready(child).catch(() => undefined);
    this.log(`${entry.spec.name} restarted (pid ${child.pid ?? '?'}, restart ${restart})`);
  }

  /**
   * No more restarts; then stage by stage: SIGTERM to the stage's running children, and SIGKILL to
   * those still alive after the stage's grace. Resolves when every child is gone.
   */
  async stop(stages: StopStage[]): Promise<void> {
    this.stopping = true;
    for (const entry of this.children.values()) {
      if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
      entry.timer = undefined;
    }
    const staged = new Set(stages.flatMap((stage) => stage.names));
    const rest = [...this.children.keys()].filter((name) => !staged.has(name));
    for (const stage of [...stages, ...(rest.length ? [{ names: rest, graceMs: 1000 }] : [])]) {
      await Promise.all(
        stage.names.map((name) => {
          const child = this.process(name);
          return child ? this.terminate(child, stage.graceMs) : Promise.resolve();
        }),
      );
    }
  }

  private terminate(child: SupervisedProcess, graceMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: unknown;
      child.once('exit', () => {
        if (timer !== undefined) this.clock.clearTimeout(timer);
        resolve();
      });
      timer = this.clock.setTimeout(() => {
        timer = undefined;
        child.kill('SIGKILL');
      }, graceMs);
      child.kill('SIGTERM');
    });
  }
}
