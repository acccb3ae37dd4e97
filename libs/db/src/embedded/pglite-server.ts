import * as net from 'node:net';
import * as fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';

/**
 * A Postgres wire-protocol server in front of one PGlite instance, so the application reaches the
 * embedded database through the ordinary `pg` driver, exactly as it reaches a real Postgres.
 *
 * PGlite has one session. Clients therefore take turns: a connection holds the database from its
 * first message until Postgres is idle again after a Sync or simple Query (so an extended-protocol
 * exchange or a whole transaction is never interleaved with another client's messages).
 */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  db: PGlite;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Directory for the data files; undefined keeps everything in memory. */
  dataDir?: string;
  host?: string;
  port?: number;
  /** A connection idle inside a transaction for longer than this is closed (and rolled back). */
  idleInTransactionMs?: number;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/** A FIFO lock: whoever holds it talks to PGlite. */
class TurnLock {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const granted = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return granted;
  }
}

class ClientConnection {
  private buffer = Buffer.alloc(0);
  private started = false;
  private release: (() => void) | undefined;
  private processing = false;
  private closed = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly db: PGlite,
    private readonly lock: TurnLock,
    private readonly idleInTransactionMs: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      void this.drain();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => void this.onClose());
  }

  /** Splits the buffer into whole messages and runs them in order. */
  private async drain(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (;;) {
        const message = this.nextMessage();
        if (!message) break;
        await this.handle(message);
        if (this.closed) break;
      }
    } catch (error) {
      this.socket.destroy(error as Error);
    } finally {
      this.processing = false;
      if (this.closed) await this.endSession();
    }
  }

  private nextMessage(): { type: string; bytes: Buffer } | undefined {
    if (!this.started) {
      if (this.buffer.length < 8) return undefined;
      const length = this.buffer.readInt32BE(0);
      if (this.buffer.length < length) return undefined;
      return this.take(length, '\0');
    }
    if (this.buffer.length < 5) return undefined;
    const length = this.buffer.readInt32BE(1) + 1;
    if (this.buffer.length < length) return undefined;
    return this.take(length, String.fromCharCode(this.buffer[0]));
  }

  private take(length: number, type: string): { type: string; bytes: Buffer } {
    const bytes = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return { type, bytes };
  }

  private async handle({ type, bytes }: { type: string; bytes: Buffer }): Promise<void> {
    if (type === '\0') {
      const code = bytes.readInt32BE(4);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        this.socket.write('N');
        return;
      }
      if (code === CANCEL_REQUEST) {
        this.socket.end();
        return;
      }
      this.started = true;
    }
    if (type === 'X') {
      this.socket.end();
      return;
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (!this.release) this.release = await this.lock.acquire();
    if (this.closed) return;
    await this.db.execProtocolRawStream(new Uint8Array(bytes), {
      // Copied: the chunk is a view of PGlite's memory, which the next chunk overwrites, while a
      // socket under backpressure keeps a reference to what it has not sent yet.
      onRawData: (data: Uint8Array) => {
        if (!this.socket.destroyed) this.socket.write(Buffer.from(data));
      },
    });
    // A turn ends where Postgres answers ReadyForQuery outside a transaction.
    const endsExchange = type === 'S' || type === 'Q' || type === '\0';
    if (!endsExchange) return;
    if (!this.db.isInTransaction()) {
      this.releaseTurn();
    } else if (this.idleInTransactionMs > 0) {
      this.idleTimer = setTimeout(() => this.socket.destroy(), this.idleInTransactionMs);
    }
  }

  private releaseTurn(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  private async onClose(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    // A message in flight ends the session itself when it finishes (see drain).
    if (!this.processing) await this.endSession();
  }

  /** Rolls back what a vanished client left open and hands the database to the next one. */
  private async endSession(): Promise<void> {
    if (!this.release) return;
    try {
      if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    } finally {
      this.releaseTurn();
    }
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? 'memory://', { extensions: { vector } });
  const lock = new TurnLock();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new ClientConnection(socket, db, lock, options.idleInTransactionMs ?? 60_000);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    port,
    db,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await db.close();
    },
  };
}
