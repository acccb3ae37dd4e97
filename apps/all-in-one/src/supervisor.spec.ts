import { EventEmitter } from 'node:events';
import { Backoff, Clock, describeExit, formatDelay, restartDelay, Supervisor, SupervisedProcess } from './supervisor';

describe('restart backoff', () => {
  it('doubles from 0.5 s and stops at 30 s', () => {
    const delays = Array.from({ length: 10 }, (_, i) => restartDelay(i + 1));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    expect(restartDelay(10_000)).toBe(30_000);
  });

  it('starts over once a child ran 60 s healthy', () => {
    const backoff = new Backoff();
    expect([backoff.next(100), backoff.next(2000), backoff.next(59_999)]).toEqual([500, 1000, 2000]);
    expect(backoff.next(60_000)).toBe(500);
    expect(backoff.next(10)).toBe(1000);
  });

  it('describes exits and delays in the log line format', () => {
    expect(describeExit(null, 'SIGKILL')).toBe('signal SIGKILL');
    expect(describeExit(1, null)).toBe('code 1');
    expect([500, 1000, 2000, 30_000].map(formatDelay)).toEqual(['0.5 s', '1 s', '2 s', '30 s']);
  });
});

/** A child process without a process. */
class FakeChild extends EventEmitter implements SupervisedProcess {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  signals: NodeJS.Signals[] = [];
  constructor(
    readonly pid: number,
    private readonly obeys: NodeJS.Signals[] = ['SIGTERM', 'SIGKILL'],
  ) {
    super();
  }
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.signals.push(signal);
    if (this.obeys.includes(signal)) this.die(null, signal);
    return true;
  }
  die(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitCode !== null || this.signalCode !== null) return;
    [this.exitCode, this.signalCode] = [code, signal];
    this.emit('exit', code, signal);
  }
}

/** Time passes only when the test says so. */
class FakeClock implements Clock {
  time = 0;
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;
  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  };
  clearTimeout = (handle: unknown) => void this.timers.delete(handle as number);
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = until;
  }
  pending(): number {
    return this.timers.size;
  }
}

describe('Supervisor', () => {
  let clock: FakeClock;
  let lines: string[];
  let supervisor: Supervisor;
  let spawned: Record<string, FakeChild[]>;
  let pid: number;
  const spec = (name: string, obeys?: NodeJS.Signals[]) => ({
    name,
    spawn: () => {
      const child = new FakeChild(++pid, obeys);
      (spawned[name] ??= []).push(child);
      return child;
    },
  });

  beforeEach(() => {
    clock = new FakeClock();
    lines = [];
    spawned = {};
    pid = 100;
    supervisor = new Supervisor((line) => lines.push(line), clock);
  });

  it('restarts a child that exits, with growing delays, one line per exit and per restart', async () => {
    await supervisor.start(spec('worker'));
    spawned.worker[0].die(null, 'SIGKILL');
    expect(lines).toEqual(['worker exited (signal SIGKILL); restarting in 0.5 s (restart 1)']);
    clock.advance(499);
    expect(spawned.worker).toHaveLength(1);
    clock.advance(1);
    expect(spawned.worker).toHaveLength(2);
    expect(lines[1]).toBe('worker restarted (pid 102, restart 1)');
    expect(supervisor.process('worker')?.pid).toBe(102);

    spawned.worker[1].die(null, 'SIGKILL');
    expect(lines[2]).toBe('worker exited (signal SIGKILL); restarting in 1 s (restart 2)');
    expect(supervisor.process('worker')).toBeUndefined();
    clock.advance(1000);
    expect(spawned.worker).toHaveLength(3);

    // Healthy for a minute: the next restart is quick again.
    clock.advance(60_000);
    spawned.worker[2].die(1, null);
    expect(lines[4]).toBe('worker exited (code 1); restarting in 0.5 s (restart 3)');
    expect(supervisor.restarts('worker')).toBe(3);
  });

  it('treats an exit before the first ready as a startup error, not a restart', async () => {
    const failing = { ...spec('database'), ready: (child: FakeChild) => new Promise<void>(() => setImmediate(() => child.die(1, null))) };
    await expect(supervisor.start(failing)).rejects.toThrow('database exited during startup (code 1)');
    expect(clock.pending()).toBe(0);
    expect(lines).toEqual([]);
  });

  it('stops in stages, with no restart after the stop began, and SIGKILLs what ignores SIGTERM', async () => {
    await supervisor.start(spec('redis'));
    await supervisor.start(spec('database'));
    await supervisor.start(spec('api'));
    await supervisor.start(spec('worker', ['SIGKILL'])); // a worker that does not stop on SIGTERM
    spawned.api[0].die(null, 'SIGKILL');
    expect(clock.pending()).toBe(1); // the api's restart

    const order: string[] = [];
    for (const [name, children] of Object.entries(spawned)) children[0].on('exit', () => order.push(name));
    const stopped = supervisor.stop([
      { names: ['api', 'worker'], graceMs: 8000 },
      { names: ['database'], graceMs: 3000 },
      { names: ['redis'], graceMs: 2000 },
    ]);
    expect(spawned.worker[0].signals).toEqual(['SIGTERM']);
    expect(spawned.database[0].signals).toEqual([]); // waits for the worker
    clock.advance(8000);
    await Promise.resolve();
    await stopped;
    expect(spawned.worker[0].signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(order).toEqual(['worker', 'database', 'redis']);
    expect(spawned.api).toHaveLength(1); // the pending restart was cancelled
    clock.advance(60_000);
    expect(spawned.api).toHaveLength(1);
    await expect(supervisor.start(spec('late'))).rejects.toThrow('stopping');
  });
});
