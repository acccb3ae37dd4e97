import * as net from 'node:net';
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import {
  ABORT_EXCHANGE,
  authentication,
  BackendOutput,
  ByteQueue,
  CANCEL_REQUEST,
  copiesFromClient,
  errorResponse,
  GSSENC_REQUEST,
  isLoopbackAddress,
  MAX_MESSAGE_BYTES,
  MAX_STARTUP_BYTES,
  PROTOCOL_3_0,
  ProtocolViolation,
  saslInitialResponse,
  SESSION_MESSAGE_TYPES,
  simpleQuery,
  SQLSTATE,
  SSL_REQUEST,
  startupPacket,
  startupParameters,
} from './protocol';
import { SCRAM_MECHANISM, ScramExchange, ScramProtocolError, ScramVerifier, scramVerifier } from './scram';

/**
 * A Postgres wire-protocol server in front of one PGlite instance, so the application reaches the
 * embedded database through the ordinary `pg` driver, exactly as it reaches a real Postgres.
 *
 * PGlite has one session. Clients therefore take turns: a connection holds the database from its
 * first message until Postgres is idle again after a Sync or simple Query (so an extended-protocol
 * exchange or a whole transaction is never interleaved with another client's messages).
 *
 * Because one client can stall all the others, clients are distrusted: only loopback connections
 * that know the password (SCRAM-SHA-256) get a turn, only whole, well-framed messages of known
 * types reach PGlite, and a client that holds the turn without sending anything is cut off and
 * rolled back. A misbehaving client loses its own connection, never the database.
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
  /** A loopback address; anything else is refused. */
  host?: string;
  port?: number;
  /** Password of the user "postgres"; undefined generates a random one (it is in `url`). */
  password?: string;
  /** false starts a Postgres without the pgvector extension (tests of that misconfiguration). */
  pgvector?: boolean;
  /** A client holding the turn that sends nothing for this long is cut off (and rolled back). */
  idleTimeoutMs?: number;
  /** A connection that has not authenticated within this long is closed. */
  authTimeoutMs?: number;
  maxConnections?: number;
  /**
   * Called once if PGlite's session is lost (a FATAL error, e.g. after SET exit_on_error): every
   * connection is then closed and new ones are refused, so the process should restart.
   */
  onSessionLost?: (error: SessionLostError) => void;
}

const USER = 'postgres';
const DATABASE = 'postgres';

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

/** PGlite reported FATAL: its one session is over, and no query will ever succeed again. */
export class SessionLostError extends Error {
  constructor() {
    super('the embedded database session was lost (PGlite reported FATAL); the database must be restarted');
  }
}

/** PGlite's one session, with what its output says about where the current exchange is. */
class Session {
  private readonly output = new BackendOutput();
  lost = false;

  constructor(
    readonly db: PGlite,
    private readonly onLost: (error: SessionLostError) => void,
  ) {}

  /** Runs one message; resolves true when the exchange is over and no transaction is open. */
  async run(message: Buffer, onData: (data: Uint8Array) => void): Promise<boolean> {
    if (this.lost) throw new SessionLostError();
    try {
      await this.db.execProtocolRawStream(message, {
        onRawData: (data: Uint8Array) => {
          this.output.feed(data);
          onData(data);
          // Thrown to leave PGlite's main loop, which after some FATALs never returns (its loop
          // swallows what is thrown inside a statement, but not what is thrown while flushing).
          if (this.output.fatal) throw new SessionLostError();
        },
      });
    } catch (error) {
      if (!this.output.fatal) throw error;
    }
    if (this.output.fatal) {
      if (!this.lost) {
        this.lost = true;
        this.onLost(new SessionLostError());
      }
      throw new SessionLostError();
    }
    return this.output.idle;
  }
}

interface ServerContext {
  session: Session;
  lock: TurnLock;
  verifier: ScramVerifier;
  idleTimeoutMs: number;
  authTimeoutMs: number;
}

type Phase = 'startup' | 'authenticating' | 'session';

interface Message {
  /** '\0' for a startup packet, which has no type byte. */
  type: string;
  /** The whole message, type byte and length included. */
  bytes: Buffer;
}

const STARTUP = '\0';

const describeType = (byte: number) =>
  byte >= 0x21 && byte <= 0x7e ? `"${String.fromCharCode(byte)}"` : `0x${byte.toString(16).padStart(2, '0')}`;

class ClientConnection {
  private readonly received = new ByteQueue();
  private phase: Phase = 'startup';
  private scram: ScramExchange | undefined;
  private release: (() => void) | undefined;
  private processing = false;
  private closed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly authTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: net.Socket,
    private readonly context: ServerContext,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      if (this.closed) return;
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      this.received.push(chunk);
      void this.drain();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.onClose());
    this.authTimer = setTimeout(
      () => this.close(new ProtocolViolation('authentication timeout', SQLSTATE.connectionFailure)),
      context.authTimeoutMs,
    );
  }

  /** Closes the connection, rolling back and releasing its turn; with an error, sent as FATAL first. */
  close(error?: ProtocolViolation): void {
    if (this.closed) return;
    if (error) {
      this.socket.end(errorResponse('FATAL', error.code, error.message));
      // A client that does not read the error must not keep the socket open.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    } else {
      this.socket.destroy();
    }
    this.onClose();
  }

  /** Splits what was received into whole messages and runs them in order. */
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
      if (error instanceof ProtocolViolation) this.close(error);
      else if (error instanceof SessionLostError) this.close(new ProtocolViolation(error.message, SQLSTATE.adminShutdown));
      else this.socket.destroy(error as Error);
    } finally {
      this.processing = false;
      if (this.closed) await this.endSession();
      else this.armIdleTimer();
    }
  }

  /** The next whole message, undefined until it has fully arrived; throws on a malformed one. */
  private nextMessage(): Message | undefined {
    const received = this.received;
    if (this.phase === 'startup') {
      if (received.length < 4) return undefined;
      const length = received.peek(4).readInt32BE(0);
      if (length < 8 || length > MAX_STARTUP_BYTES) throw new ProtocolViolation(`invalid length of startup packet: ${length}`);
      return received.length < length ? undefined : { type: STARTUP, bytes: received.take(length) };
    }
    if (received.length < 5) return undefined;
    const header = received.peek(5);
    const type = String.fromCharCode(header[0]);
    const length = header.readInt32BE(1);
    // Checked before the body arrives: garbage is refused at once, not waited for.
    const allowed = this.phase === 'session' ? SESSION_MESSAGE_TYPES.has(type) : type === 'p';
    if (!allowed)
      throw new ProtocolViolation(
        `invalid frontend message type ${describeType(header[0])}${this.phase === 'session' ? '' : ' during authentication'}`,
      );
    const max = this.phase === 'session' ? MAX_MESSAGE_BYTES : MAX_STARTUP_BYTES;
    if (length < 4 || length > max) throw new ProtocolViolation(`invalid length of message ${describeType(header[0])}: ${length}`);
    return received.length < length + 1 ? undefined : { type, bytes: received.take(length + 1) };
  }

  private async handle({ type, bytes }: Message): Promise<void> {
    if (type === STARTUP) return this.startup(bytes);
    if (this.phase === 'authenticating') return this.authenticate(bytes.subarray(5));
    if (type === 'X') {
      this.socket.end();
      this.onClose();
      return;
    }
    if (copiesFromClient(type, bytes))
      throw new ProtocolViolation('COPY FROM STDIN is not supported by the embedded database', SQLSTATE.featureNotSupported);
    if (!this.release) this.release = await this.context.lock.acquire();
    if (this.closed) return;
    if (await this.execute(bytes)) this.releaseTurn();
  }

  private async startup(packet: Buffer): Promise<void> {
    const code = packet.readInt32BE(4);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      if (packet.length !== 8) throw new ProtocolViolation('invalid length of encryption request');
      this.socket.write('N');
      return;
    }
    if (code === CANCEL_REQUEST) {
      // Cancelling is not supported: PGlite runs one statement at a time to its end.
      this.socket.end();
      this.onClose();
      return;
    }
    if (code !== PROTOCOL_3_0) throw new ProtocolViolation(`unsupported frontend protocol or startup code ${code}`);
    const parameters = startupParameters(packet);
    const user = parameters.get('user');
    if (!user) throw new ProtocolViolation('no PostgreSQL user name specified in startup packet', SQLSTATE.invalidAuthorization);
    if (user !== USER) throw new ProtocolViolation(`password authentication failed for user "${user}"`, SQLSTATE.invalidPassword);
    const database = parameters.get('database') ?? user;
    if (database !== DATABASE) throw new ProtocolViolation(`database "${database}" does not exist`, SQLSTATE.invalidAuthorization);
    this.phase = 'authenticating';
    this.socket.write(authentication(10, Buffer.from(`${SCRAM_MECHANISM}\0\0`)));
  }

  private async authenticate(body: Buffer): Promise<void> {
    try {
      if (!this.scram) {
        const { mechanism, data } = saslInitialResponse(body);
        if (mechanism !== SCRAM_MECHANISM) throw new ProtocolViolation(`unsupported SASL mechanism "${mechanism}"`);
        this.scram = new ScramExchange(this.context.verifier);
        this.socket.write(authentication(11, Buffer.from(this.scram.first(data))));
        return;
      }
      const serverFinal = this.scram.final(body.toString('utf8'));
      if (!serverFinal) throw new ProtocolViolation(`password authentication failed for user "${USER}"`, SQLSTATE.invalidPassword);
      this.socket.write(authentication(12, Buffer.from(serverFinal)));
    } catch (error) {
      if (error instanceof ScramProtocolError) throw new ProtocolViolation(error.message);
      throw error;
    }
    clearTimeout(this.authTimer);
    this.phase = 'session';
    // PGlite answers a startup packet with AuthenticationOk, its parameters and ReadyForQuery.
    this.release = await this.context.lock.acquire();
    if (this.closed) return;
    if (
      await this.execute(
        startupPacket(
          new Map([
            ['user', USER],
            ['database', DATABASE],
          ]),
        ),
      )
    )
      this.releaseTurn();
  }

  /** Runs a message and sends the client the answer; true when the client's turn is over. */
  private execute(bytes: Buffer): Promise<boolean> {
    // Copied: the chunk is a view of PGlite's memory, which the next chunk overwrites, while a
    // socket under backpressure keeps a reference to what it has not sent yet.
    return this.context.session.run(bytes, (data) => {
      if (!this.closed) this.socket.write(Buffer.from(data));
    });
  }

  /**
   * Waiting for the client while it holds the turn (in a transaction or mid-exchange), or while it
   * is in the middle of sending a message, is bounded: others may be waiting for the database.
   */
  private armIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.phase !== 'session' || !(this.release || this.received.length > 0)) return;
    this.idleTimer = setTimeout(() => {
      const timeout = `${this.context.idleTimeoutMs} ms`;
      this.close(
        this.release
          ? new ProtocolViolation(
              `terminating connection due to idle-in-transaction timeout (${timeout} holding the database without sending)`,
              SQLSTATE.idleInTransactionTimeout,
            )
          : new ProtocolViolation(`terminating connection: a message was not completed within ${timeout}`),
      );
    }, this.context.idleTimeoutMs);
  }

  private releaseTurn(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.authTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    // A message in flight ends the session itself when it finishes (see drain).
    if (!this.processing) void this.endSession();
  }

  /** Rolls back what a vanished client left open and hands the database to the next one. */
  private async endSession(): Promise<void> {
    if (!this.release) return;
    const { session } = this.context;
    const discard = () => undefined;
    try {
      if (!(await session.run(ABORT_EXCHANGE, discard))) await session.run(simpleQuery('ROLLBACK'), discard);
    } catch {
      // PGlite is closing or its session is lost: nothing is left to roll back.
    } finally {
      this.releaseTurn();
    }
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host)) throw new Error(`the embedded database listens on loopback only, not on "${host}"`);
  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
  const password = options.password ?? randomBytes(24).toString('base64url');
  const maxConnections = options.maxConnections ?? 200;
  const db = await PGlite.create(options.dataDir ?? 'memory://', { extensions: options.pgvector === false ? {} : { vector } });
  const connections = new Set<ClientConnection>();
  const session = new Session(db, (error) => {
    for (const connection of connections) connection.close(new ProtocolViolation(error.message, SQLSTATE.adminShutdown));
    options.onSessionLost?.(error);
  });
  const context: ServerContext = {
    session,
    lock: new TurnLock(),
    verifier: scramVerifier(password),
    idleTimeoutMs: options.idleTimeoutMs ?? 5000,
    authTimeoutMs: options.authTimeoutMs ?? 10_000,
  };
  const server = net.createServer((socket) => {
    if (!isLoopbackAddress(socket.remoteAddress)) {
      socket.destroy();
      return;
    }
    const connection = new ClientConnection(socket, context);
    socket.on('close', () => connections.delete(connection));
    if (session.lost) {
      connection.close(new ProtocolViolation(new SessionLostError().message, SQLSTATE.cannotConnectNow));
      return;
    }
    if (connections.size >= maxConnections) {
      connection.close(new ProtocolViolation('sorry, too many clients already', SQLSTATE.tooManyConnections));
      return;
    }
    connections.add(connection);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `postgres://${USER}:${encodeURIComponent(password)}@${urlHost}:${port}/${DATABASE}`,
    port,
    db,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Closed without a FATAL error: a pool that is ending its clients would report it as theirs.
      for (const connection of connections) connection.close();
      // Every connection rolls back and gives up its turn; then no one talks to PGlite any more.
      await context.lock.acquire();
      // A lost session never answers again, not even the Terminate that closing sends it.
      if (!session.lost) await db.close();
      await closed;
    },
  };
}
