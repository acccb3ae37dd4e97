import * as net from 'node:net';
import { Client, Pool } from 'pg';
import { EmbeddedPostgres, startEmbeddedPostgres } from './pglite-server';
import { cstring, int32, isLoopbackAddress, MAX_MESSAGE_BYTES, message, PROTOCOL_3_0, startupPacket } from './protocol';

/**
 * Clients that break the protocol, stall, or do not know the password, against the real server
 * and PGlite: each loses its own connection, nothing it left uncommitted survives, and an ordinary
 * client keeps being answered promptly throughout.
 */
const IDLE_TIMEOUT_MS = 1000;
/** An ordinary query waits at most for an attacker's idle timeout, plus a margin for a busy machine. */
const PROMPTLY_MS = IDLE_TIMEOUT_MS + 2500;

interface Attacker {
  write(bytes: Buffer): void;
  /** Resolves when the server has closed the connection, with everything it sent. */
  closed: Promise<Buffer>;
  destroy(): void;
}

function watch(socket: net.Socket): Attacker {
  const chunks: Buffer[] = [];
  socket.removeAllListeners('data');
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<Buffer>((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks))));
  return { write: (bytes) => socket.write(bytes), closed, destroy: () => socket.destroy() };
}

/** A raw connection that has not authenticated. */
async function rawAttacker(server: EmbeddedPostgres): Promise<Attacker> {
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return watch(socket);
}

/**
 * A connection the `pg` driver authenticated and ran `statements` on, whose socket then writes
 * whatever the test says.
 */
async function authenticatedAttacker(server: EmbeddedPostgres, ...statements: string[]): Promise<Attacker & { client: Client }> {
  const client = new Client({ connectionString: server.url });
  client.on('error', () => undefined);
  await client.connect();
  for (const statement of statements) await client.query(statement);
  const attacker = watch((client as unknown as { connection: { stream: net.Socket } }).connection.stream);
  return { ...attacker, client };
}

/** The SQLSTATE codes of the ErrorResponses in what the server sent. */
function errorCodes(bytes: Buffer): string[] {
  const codes: string[] = [];
  for (let at = 0; at + 5 <= bytes.length;) {
    const length = bytes.readInt32BE(at + 1);
    if (bytes[at] === 'E'.charCodeAt(0)) {
      const fields = bytes
        .subarray(at + 5, at + 1 + length)
        .toString('utf8')
        .split('\0');
      const code = fields.find((field) => field.startsWith('C'));
      if (code) codes.push(code.slice(1));
    }
    at += 1 + length;
  }
  return codes;
}

function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms))),
  ]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('embedded Postgres against hostile clients', () => {
  let server: EmbeddedPostgres;
  let pool: Pool;

  /** An ordinary client is answered promptly (run while an attack is under way). */
  const answers = async () => {
    const { rows } = await within(PROMPTLY_MS, pool.query('SELECT 41 + $1::int AS n', [1]), 'an ordinary query');
    expect(rows[0].n).toBe(42);
  };
  const victimRows = async () => (await pool.query('SELECT v FROM victim ORDER BY v')).rows.map((row) => row.v);
  const closedWith = async (attacker: Attacker, code: string) => {
    const received = await within(PROMPTLY_MS, attacker.closed, 'closing the attacker’s connection');
    expect(errorCodes(received)).toContain(code);
  };

  beforeAll(async () => {
    server = await startEmbeddedPostgres({ idleTimeoutMs: IDLE_TIMEOUT_MS, authTimeoutMs: 1500 });
    pool = new Pool({ connectionString: server.url, max: 4 });
    await pool.query('CREATE TABLE victim (v int)');
  });

  afterEach(async () => {
    await answers();
    await pool.query('TRUNCATE victim');
  });

  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });

  describe('malformed messages', () => {
    it.each([
      ['0', 0],
      ['3', 3],
      ['negative', -1],
      ['above the startup maximum', 10_001],
    ])('refuses a startup packet with a length of %s', async (_, length) => {
      const attacker = await rawAttacker(server);
      attacker.write(Buffer.concat([int32(length), int32(PROTOCOL_3_0), Buffer.alloc(4)]));
      await closedWith(attacker, '08P01');
    });

    it('refuses an unknown startup code and garbage before startup', async () => {
      const unknown = await rawAttacker(server);
      unknown.write(Buffer.concat([int32(8), int32(12345678)]));
      await closedWith(unknown, '08P01');
      const garbage = await rawAttacker(server);
      garbage.write(Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      await closedWith(garbage, '08P01');
    });

    it.each([
      ['0', 0],
      ['3', 3],
      ['negative', -5],
      ['above the maximum', MAX_MESSAGE_BYTES + 1],
    ])('after authentication, cuts off a message with a length of %s (inside a transaction, rolled back)', async (_, length) => {
      const attacker = await authenticatedAttacker(server, 'BEGIN', 'INSERT INTO victim VALUES (1)');
      // The 12 bytes that used to wedge PGlite for every client.
      const header = Buffer.alloc(5);
      header.write('Q');
      header.writeInt32BE(length, 1);
      attacker.write(Buffer.concat([header, Buffer.from('SELECT1')]));
      await Promise.all([closedWith(attacker, '08P01'), answers()]);
      expect(await victimRows()).toEqual([]);
    });

    it('cuts off a message of an unknown type', async () => {
      const attacker = await authenticatedAttacker(server);
      attacker.write(message('Z', Buffer.from('I')));
      await closedWith(attacker, '08P01');
    });

    it('survives truncated Bind and Parse bodies and random bytes with valid lengths', async () => {
      const attacker = await authenticatedAttacker(server, 'BEGIN', 'INSERT INTO victim VALUES (2)');
      const bind = Buffer.concat([cstring(''), cstring(''), Buffer.from([0, 0, 0, 5]), int32(1000)]);
      attacker.write(
        Buffer.concat([
          message('P', cstring('s')), // no query, no parameter count
          message('B', bind.subarray(0, 7)),
          message('E', Buffer.from([1, 2])),
          message('D', Buffer.from([0xff])),
          message('F', Buffer.from([0, 0, 5])),
          message('d', Buffer.from([1, 2, 3])),
          message('Q', Buffer.from('SELECT 1')), // no terminating zero
        ]),
      );
      await Promise.all([closedWith(attacker, '25P03'), answers()]);
      expect(await victimRows()).toEqual([]);
    });

    it('stays usable after hundreds of random messages with valid lengths', async () => {
      const types = 'BCdcfDEHFPQS';
      let seed = 7;
      const random = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
      for (let round = 0; round < 20; round++) {
        const attacker = await authenticatedAttacker(server);
        const messages = Array.from({ length: 15 }, () =>
          message(types[random(types.length)], Buffer.from(Array.from({ length: random(24) }, () => random(256)))),
        );
        attacker.write(Buffer.concat(messages));
        await sleep(20);
        attacker.destroy();
        await answers();
      }
    });
  });

  it('refuses COPY FROM STDIN (PGlite would read past the message and lose its session)', async () => {
    const attacker = await authenticatedAttacker(server, 'BEGIN', 'INSERT INTO victim VALUES (8)');
    attacker.write(message('Q', cstring('COPY victim FROM STDIN')));
    await Promise.all([closedWith(attacker, '0A000'), answers()]);
    expect(await victimRows()).toEqual([]);
  });

  describe('stalling clients', () => {
    it('cuts off a client idle inside a transaction, rolls it back, and serves the others meanwhile', async () => {
      const attacker = await authenticatedAttacker(server, 'BEGIN', 'INSERT INTO victim VALUES (3)');
      const started = Date.now();
      await Promise.all([closedWith(attacker, '25P03'), answers()]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 100);
      expect(await victimRows()).toEqual([]);
    });

    it('cuts off a client that sends Parse, Bind and Execute but no Sync, without committing its write', async () => {
      const attacker = await authenticatedAttacker(server);
      attacker.write(
        Buffer.concat([
          message('P', cstring(''), cstring('INSERT INTO victim VALUES (4)'), Buffer.from([0, 0])),
          message('B', cstring(''), cstring(''), Buffer.from([0, 0, 0, 0, 0, 0])),
          message('E', cstring(''), int32(0)),
        ]),
      );
      await Promise.all([closedWith(attacker, '25P03'), answers()]);
      expect(await victimRows()).toEqual([]);
    });

    it('cuts off a client that stops in the middle of a message while holding the database', async () => {
      const attacker = await authenticatedAttacker(server, 'BEGIN', 'INSERT INTO victim VALUES (5)');
      attacker.write(message('Q', cstring('COMMIT')).subarray(0, 8));
      await Promise.all([closedWith(attacker, '25P03'), answers()]);
      expect(await victimRows()).toEqual([]);
    });

    it('cuts off a client that stops in the middle of a message outside a transaction', async () => {
      const attacker = await authenticatedAttacker(server);
      attacker.write(message('Q', cstring('SELECT 1')).subarray(0, 3));
      await closedWith(attacker, '08P01');
    });

    it('lets a client that ignored an error keep the database only until its timeout', async () => {
      // A failed Bind makes Postgres skip everything up to a Sync, so the Query is ignored too.
      const attacker = await authenticatedAttacker(server);
      attacker.write(
        Buffer.concat([
          message('B', cstring(''), cstring('missing'), Buffer.from([0, 0, 0, 0, 0, 0])),
          message('Q', cstring('INSERT INTO victim VALUES (6)')),
        ]),
      );
      await Promise.all([closedWith(attacker, '25P03'), answers()]);
      expect(await victimRows()).toEqual([]);
    });

    it('is not slowed by 100 idle authenticated connections, and leaves them open', async () => {
      const idle = await Promise.all(Array.from({ length: 100 }, () => authenticatedAttacker(server)));
      await sleep(IDLE_TIMEOUT_MS + 300);
      for (let i = 0; i < 20; i++) {
        const started = Date.now();
        await answers();
        expect(Date.now() - started).toBeLessThan(1000);
      }
      const stillOpen = await Promise.race([Promise.any(idle.map((a) => a.closed)).then(() => false), sleep(50).then(() => true)]);
      expect(stillOpen).toBe(true);
      await Promise.all(idle.map((a) => a.client.end()));
    });
  });

  describe('authentication', () => {
    it('refuses a wrong password with 28P01', async () => {
      const url = new URL(server.url);
      url.password = 'wrong';
      const client = new Client({ connectionString: url.toString() });
      await expect(client.connect()).rejects.toMatchObject({ code: '28P01' });
    });

    it('refuses a client that gives no password (the driver) or skips authentication (raw)', async () => {
      const url = new URL(server.url);
      url.password = '';
      const client = new Client({ connectionString: url.toString() });
      await expect(client.connect()).rejects.toThrow(/password/);

      const attacker = await rawAttacker(server);
      const startup = startupPacket(
        new Map([
          ['user', 'postgres'],
          ['database', 'postgres'],
        ]),
      );
      attacker.write(Buffer.concat([startup, message('Q', cstring('INSERT INTO victim VALUES (7)'))]));
      await closedWith(attacker, '08P01');
      expect(await victimRows()).toEqual([]);
    });

    it('closes a connection that does not authenticate in time', async () => {
      const attacker = await rawAttacker(server);
      attacker.write(startupPacket(new Map([['user', 'postgres']])));
      await closedWith(attacker, '08006');
    });

    it('puts the password in the url it returns (callers connect with it unchanged)', () => {
      expect(server.url).toMatch(/^postgres:\/\/postgres:[^@]{16,}@127\.0\.0\.1:\d+\/postgres$/);
    });
  });
});

describe('embedded Postgres limits', () => {
  it('refuses connections beyond its maximum with 53300, and serves again once one leaves', async () => {
    const server = await startEmbeddedPostgres({ maxConnections: 3 });
    try {
      const clients = await Promise.all(
        Array.from({ length: 3 }, async () => {
          const client = new Client({ connectionString: server.url });
          await client.connect();
          return client;
        }),
      );
      const extra = new Client({ connectionString: server.url });
      await expect(extra.connect()).rejects.toMatchObject({ code: '53300' });
      await clients[0].end();
      await sleep(100);
      const next = new Client({ connectionString: server.url });
      await next.connect();
      expect((await next.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await Promise.all([next.end(), clients[1].end(), clients[2].end()]);
    } finally {
      await server.stop();
    }
  });

  it('closes every connection and refuses new ones once PGlite has lost its session, and still stops', async () => {
    const lost: Error[] = [];
    const server = await startEmbeddedPostgres({ onSessionLost: (error) => lost.push(error) });
    try {
      const bystander = await authenticatedAttacker(server);
      const attacker = new Client({ connectionString: server.url });
      attacker.on('error', () => undefined);
      await attacker.connect();
      // exit_on_error turns the error into FATAL, which ends PGlite's one session for good.
      await expect(attacker.query('SET exit_on_error = on; SELECT 1/0')).rejects.toThrow();
      expect(lost).toHaveLength(1);
      expect(errorCodes(await within(PROMPTLY_MS, bystander.closed, 'closing the other connections'))).toContain('57P01');
      await expect(new Client({ connectionString: server.url }).connect()).rejects.toMatchObject({ code: '57P03' });
    } finally {
      await within(5000, server.stop(), 'stopping');
    }
  });

  it('listens on loopback only', async () => {
    await expect(startEmbeddedPostgres({ host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address)).toBe(true);
    for (const address of ['10.0.0.1', '::ffff:192.168.1.2', '0.0.0.0', '::', '128.0.0.1', undefined])
      expect(isLoopbackAddress(address)).toBe(false);
  });

  it('takes the password it is given', async () => {
    const server = await startEmbeddedPostgres({ password: 'p@ss/word' });
    try {
      expect(server.url).toContain(`:${encodeURIComponent('p@ss/word')}@`);
      const client = new Client({ host: '127.0.0.1', port: server.port, user: 'postgres', password: 'p@ss/word', database: 'postgres' });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.end();
    } finally {
      await server.stop();
    }
  });
});
