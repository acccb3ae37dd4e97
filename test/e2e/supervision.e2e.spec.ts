import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adminHeaders } from '../support/stack';
import { ADMIN_TOKEN, loadArxivPapers, REDIS_URL, TEST_MODEL_DIR, tempDir, toPushedPaper, uniquePrefix, waitFor } from '../support/env';
import { AppProcess, freePort, spawnBuilt } from '../support/processes';
import { isAlive } from '@paperfeed/config';

type ChildName = 'database' | 'api' | 'worker';

const ENTRIES: Record<ChildName, string> = {
  database: 'libs/db/src/embedded/main.js',
  api: 'apps/api/src/main.js',
  worker: 'apps/worker/src/main.js',
};

/** The launcher's children by name, from ps. */
function childrenOf(pid: number): Partial<Record<ChildName, number>> {
  let out: string;
  try {
    out = execFileSync('ps', ['--ppid', String(pid), '-o', 'pid=,args='], { encoding: 'utf8' });
  } catch {
    return {}; // no children (ps exits 1)
  }
  const found: Partial<Record<ChildName, number>> = {};
  for (const line of out.split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    for (const [name, entry] of Object.entries(ENTRIES) as [ChildName, string][]) {
      if (match[2].includes(entry)) found[name] = Number(match[1]);
    }
  }
  return found;
}

/**
 * `npm start` supervises what it starts (CONTRACT, "Processes and configuration"): the built
 * all-in-one with real processes and the machine's Redis; each child is killed with SIGKILL in
 * turn while papers keep arriving, and comes back by itself; SIGTERM stops everything in 15 s.
 */
// npm start always runs the embedded database: once (in the embedded tier) is enough.
const describeEmbedded = process.env.PAPERFEED_TEST_DB === 'postgres' ? describe.skip : describe;

describeEmbedded('npm start supervision (real processes)', () => {
  const papers = loadArxivPapers(400).map(toPushedPaper);
  const pushed: string[] = [];
  const dataDir = tempDir('supervision');
  let launcher: AppProcess;
  let base: string;
  const seen = new Set<number>();

  const request = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${base}${route}`, {
      method,
      headers: adminHeaders,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => null)) as any };
  };
  /** Pushes papers as an operator would: again while the api is down (refused) or answers 503. */
  const push = async (batch: unknown[]) => {
    const answer = await waitFor(
      async () => {
        try {
          const { status, body } = await request('POST', '/v1/ingest/papers', { papers: batch });
          if (status === 503) return undefined;
          return { status, body };
        } catch {
          return undefined; // connection refused: the api is restarting
        }
      },
      'the api to accept papers',
      60_000,
    );
    expect(answer.status).toBe(202);
    pushed.push(...(batch as { id: string }[]).map((paper) => paper.id.replace(/v\d+$/, '')));
  };
  const children = () => {
    const found = childrenOf(launcher.child.pid!);
    for (const pid of Object.values(found)) seen.add(pid!);
    return found;
  };
  const ready = () =>
    waitFor(async () => (await request('GET', '/health/ready').catch(() => ({ status: 0 }))).status === 200, 'the api to be ready', 60_000);
  const runtimeFile = path.join(dataDir, 'embedded.json');

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    launcher = spawnBuilt('apps/all-in-one/src/main.js', {
      DATA_DIR: dataDir,
      PORT: String(port),
      QUEUE_PREFIX: uniquePrefix(),
      REDIS_URL,
      EMBEDDING_MODEL: TEST_MODEL_DIR,
      EMBEDDING_DTYPE: 'fp32',
      EMBED_THREADS: '1',
      RATE_LIMIT_PER_MINUTE: '0',
      ADMIN_TOKEN,
      NODE_ENV: 'test',
      // A killed worker's job is taken over after this (default 30 s).
      JOB_LOCK: '5s',
    });
    await waitFor(
      async () => {
        if (launcher.child.exitCode !== null) throw new Error(`npm start exited: ${launcher.output()}`);
        return launcher.output().includes('[paperfeed] api on http://');
      },
      'npm start to start everything',
      90_000,
    );
    await ready();
    await waitFor(async () => launcher.output().includes('consuming'), 'the worker to consume', 60_000);
  }, 120_000);

  afterAll(async () => {
    if (process.env.SUPERVISION_LOG) fs.writeFileSync(process.env.SUPERVISION_LOG, launcher?.output() ?? '');
    if (launcher && launcher.child.exitCode === null && launcher.child.signalCode === null) await launcher.stop('SIGKILL');
    for (const pid of seen) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the database, api and worker, with secrets readable by their owner only', async () => {
    const found = children();
    expect(Object.keys(found).sort()).toEqual(['api', 'database', 'worker']);
    expect(fs.statSync(runtimeFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dataDir, 'db-password')).mode & 0o777).toBe(0o600);
    // The database wants the generated password, and the runtime file carries it.
    const password = fs.readFileSync(path.join(dataDir, 'db-password'), 'utf8').trim();
    expect(new URL(JSON.parse(fs.readFileSync(runtimeFile, 'utf8')).databaseUrl).password).toBe(password);
    await push(papers.slice(0, 1));
  });

  it.each(['database', 'api', 'worker'] as ChildName[])(
    'restarts the %s after kill -9, and takes papers pushed while it is down',
    async (name) => {
      const before = children();
      const urlBefore = JSON.parse(fs.readFileSync(runtimeFile, 'utf8')).databaseUrl;
      if (name === 'worker') {
        // Work in flight when the worker dies is redone: it dies while storing and embedding a batch.
        await push(papers.slice(4, 400));
        const last = pushed[pushed.length - 1];
        await waitFor(
          async () => (await request('GET', `/v1/papers/${encodeURIComponent(pushed[4])}`)).status === 200,
          'the batch to be stored',
        );
        expect((await request('GET', `/v1/papers/${encodeURIComponent(last)}`)).body?.indexed).not.toBe(true);
      }
      process.kill(before[name]!, 'SIGKILL');
      // While it is down (or just restarting), one more paper: database papers[1], api [2], worker [3].
      await push([papers[{ database: 1, api: 2, worker: 3 }[name]]]);
      const restarted = await waitFor(
        async () => {
          const pid = children()[name];
          return pid !== undefined && pid !== before[name] ? pid : undefined;
        },
        `the ${name} to be back`,
        60_000,
      );
      expect(launcher.output()).toMatch(
        new RegExp(`\\[paperfeed\\] ${name} exited \\(signal SIGKILL\\); restarting in [0-9.]+ s \\(restart 1\\)`),
      );
      // Logged once the new child is up, which can be a moment after ps lists it.
      await waitFor(
        async () => launcher.output().includes(`[paperfeed] ${name} restarted (pid ${restarted}, restart 1)`),
        `the ${name}'s restart to be logged`,
      );
      // The others were left alone, and the database came back at the same URL.
      const after = children();
      for (const other of ['database', 'api', 'worker'] as ChildName[]) if (other !== name) expect(after[other]).toBe(before[other]);
      expect(JSON.parse(fs.readFileSync(runtimeFile, 'utf8')).databaseUrl).toBe(urlBefore);
      await ready();
    },
    120_000,
  );

  it('stores and indexes every pushed paper exactly once, with no operator action', async () => {
    expect(new Set(pushed).size).toBe(pushed.length);
    for (const id of pushed) {
      await waitFor(
        async () => {
          const { status, body } = await request('GET', `/v1/papers/${encodeURIComponent(id)}`);
          return status === 200 && body.indexed === true;
        },
        `paper ${id} to be indexed`,
        120_000,
      );
    }
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const { body } = await request('GET', `/v1/papers?sort=recent&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      ids.push(...body.items.map((paper: { id: string }) => paper.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(ids.sort()).toEqual([...pushed].sort());
    // Nothing was dead-lettered on the way (the failed set is the dead-letter queue).
    const queues = (await request('GET', '/v1/admin/queues')).body as { name: string; counts: { failed: number } }[];
    expect(queues.filter((queue) => queue.counts.failed > 0).map((queue) => `${queue.name}: ${queue.counts.failed} failed`)).toEqual([]);
  }, 240_000);

  it('stops everything on SIGTERM within 15 s and removes the runtime file', async () => {
    const pids = Object.values(children()) as number[];
    expect(pids).toHaveLength(3);
    const started = Date.now();
    const code = await launcher.stop('SIGTERM');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(code).toBe(0);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(fs.existsSync(runtimeFile)).toBe(false);
  }, 20_000);
});
