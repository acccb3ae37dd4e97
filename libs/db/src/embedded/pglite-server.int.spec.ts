import { Client, Pool } from 'pg';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedPostgres, startEmbeddedPostgres } from './pglite-server';

describe('embedded Postgres wire server (PGlite + pgvector)', () => {
  let server: EmbeddedPostgres;
  let pool: Pool;

  beforeAll(async () => {
    server = await startEmbeddedPostgres();
    pool = new Pool({ connectionString: server.url, max: 8 });
    await pool.query('CREATE EXTENSION IF NOT EXISTS vector');
    await pool.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await pool.query('INSERT INTO counter VALUES (1, 0)');
  });

  afterAll(async () => {
    await pool.end();
    await server.stop();
  });

  it('serves pgvector through the ordinary pg driver', async () => {
    const { rows } = await pool.query(`SELECT '[1,0]'::vector <=> '[0,1]'::vector AS distance`);
    expect(Number(rows[0].distance)).toBeCloseTo(1);
  });

  it('never interleaves concurrent transactions (read-modify-write stays exact)', async () => {
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const { rows } = await client.query('SELECT n FROM counter WHERE id = $1', [1]);
          await client.query('UPDATE counter SET n = $1 WHERE id = 1', [rows[0].n + 1]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      }),
    );
    const { rows } = await pool.query('SELECT n FROM counter WHERE id = 1');
    expect(rows[0].n).toBe(50);
  });

  it('keeps parameterised queries of parallel clients apart', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => pool.query('SELECT $1::int * 2 AS doubled', [i]).then((r) => r.rows[0].doubled)),
    );
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
  });

  it('rolls back what a client left open when it disconnects, and serves others again', async () => {
    const client = new Client({ connectionString: server.url });
    await client.connect();
    client.on('error', () => undefined); // the connection is cut on purpose
    await client.query('BEGIN');
    await client.query('UPDATE counter SET n = -1 WHERE id = 1');
    // Destroy the socket without COMMIT, as a crashed process would.
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const { rows } = await pool.query('SELECT n FROM counter WHERE id = 1');
    expect(rows[0].n).toBe(50);
  });

  it('delivers a large result intact to a client that reads slowly', async () => {
    const client = new Client({ connectionString: server.url });
    await client.connect();
    try {
      const result = client.query(`SELECT i, repeat(md5(i::text), 128) AS text FROM generate_series(1, 3000) AS i`);
      // A paused reader makes the server's socket queue what it cannot send yet.
      const socket = (client as unknown as { connection: { stream: NodeJS.ReadableStream } }).connection.stream;
      socket.pause();
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.resume();
      const { rows } = await result;
      expect(rows).toHaveLength(3000);
      for (const row of rows) expect(row.text).toBe(createHash('md5').update(String(row.i)).digest('hex').repeat(128));
    } finally {
      await client.end();
    }
  });

  it('reports query errors and stays usable', async () => {
    await expect(pool.query('SELECT $1::int', ['not a number'])).rejects.toThrow(/invalid input syntax/);
    const { rows } = await pool.query('SELECT 1 AS one');
    expect(rows[0].one).toBe(1);
  });
});

describe('embedded Postgres persistence', () => {
  it('keeps data in its data directory across restarts', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperfeed-pg-'));
    const first = await startEmbeddedPostgres({ dataDir });
    const a = new Client({ connectionString: first.url });
    await a.connect();
    await a.query('CREATE TABLE kept (v text)');
    await a.query(`INSERT INTO kept VALUES ('still here')`);
    await a.end();
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir });
    const b = new Client({ connectionString: second.url });
    await b.connect();
    const { rows } = await b.query('SELECT v FROM kept');
    await b.end();
    await second.stop();
    expect(rows).toEqual([{ v: 'still here' }]);
  });
});
