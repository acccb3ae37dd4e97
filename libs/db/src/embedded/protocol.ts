/**
 * The parts of the Postgres wire protocol (v3) the embedded server itself speaks: framing and
 * checking what clients send, and the few messages it answers without PGlite (authentication and
 * errors). Only whole, well-framed messages of known types ever reach PGlite, whose single session
 * would otherwise wait forever for the rest of a message that never comes.
 */

/** A startup packet (with its length field) is at most this long, as in Postgres. */
export const MAX_STARTUP_BYTES = 10_000;
/** A pushed batch of 1000 papers travels as one JSON parameter of one Bind message. */
export const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

export const PROTOCOL_3_0 = 196608;
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;

/** Every message a client may send once authenticated (CopyData/Done/Fail outside COPY are ignored). */
export const SESSION_MESSAGE_TYPES = new Set(['B', 'C', 'd', 'c', 'f', 'D', 'E', 'H', 'F', 'P', 'Q', 'S', 'X']);

export const SQLSTATE = {
  protocolViolation: '08P01',
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
  idleInTransactionTimeout: '25P03',
  featureNotSupported: '0A000',
  adminShutdown: '57P01',
  cannotConnectNow: '57P03',
  tooManyConnections: '53300',
  connectionFailure: '08006',
} as const;

/** A client broke the protocol: it gets a FATAL error and loses its connection. */
export class ProtocolViolation extends Error {
  constructor(
    message: string,
    readonly code: string = SQLSTATE.protocolViolation,
  ) {
    super(message);
  }
}

/** Received bytes, kept as the chunks they came in, joined only once a whole message is there. */
export class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The first `count` bytes (count <= length), left in the queue. */
  peek(count: number): Buffer {
    if (this.chunks[0].length < count) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].subarray(0, count);
  }

  take(count: number): Buffer {
    const bytes = this.peek(count);
    this.chunks[0] = this.chunks[0].subarray(count);
    if (this.chunks[0].length === 0) this.chunks.shift();
    this.length -= count;
    return bytes;
  }
}

export function message(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

export const int32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
};

export const cstring = (text: string) => Buffer.from(`${text}\0`, 'utf8');

export function errorResponse(severity: 'FATAL' | 'ERROR', code: string, text: string): Buffer {
  return message(
    'E',
    Buffer.from('S'),
    cstring(severity),
    Buffer.from('V'),
    cstring(severity),
    Buffer.from('C'),
    cstring(code),
    Buffer.from('M'),
    cstring(text),
    Buffer.from([0]),
  );
}

export const authentication = (code: number, data: Buffer = Buffer.alloc(0)) => message('R', int32(code), data);

/** The key/value pairs of a protocol 3.0 startup packet (the whole packet, length field included). */
export function startupParameters(packet: Buffer): Map<string, string> {
  if (packet[packet.length - 1] !== 0) throw new ProtocolViolation('invalid startup packet layout: expected terminator as last byte');
  const fields = packet
    .subarray(8, packet.length - 1)
    .toString('utf8')
    .split('\0');
  // A well-formed list is key\0value\0…, so splitting it leaves one empty string at its end.
  if (fields.pop() !== '') throw new ProtocolViolation('invalid startup packet layout');
  if (fields.length % 2 !== 0) throw new ProtocolViolation('invalid startup packet layout: a parameter has no value');
  const parameters = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) {
    if (!fields[i]) throw new ProtocolViolation('invalid startup packet layout: empty parameter name');
    parameters.set(fields[i], fields[i + 1]);
  }
  return parameters;
}

export function startupPacket(parameters: Map<string, string>): Buffer {
  const body = Buffer.concat([
    int32(PROTOCOL_3_0),
    ...[...parameters].flatMap(([key, value]) => [cstring(key), cstring(value)]),
    Buffer.from([0]),
  ]);
  return Buffer.concat([int32(body.length + 4), body]);
}

/** Reads SASLInitialResponse: the mechanism the client chose and its first message. */
export function saslInitialResponse(body: Buffer): { mechanism: string; data: string } {
  const end = body.indexOf(0);
  if (end < 0 || end + 5 > body.length) throw new ProtocolViolation('malformed SASLInitialResponse');
  const length = body.readInt32BE(end + 1);
  const data = body.subarray(end + 5);
  if (length !== data.length) throw new ProtocolViolation('malformed SASLInitialResponse: wrong data length');
  return { mechanism: body.subarray(0, end).toString('utf8'), data: data.toString('utf8') };
}

/**
 * Ends whatever exchange an abandoned client left, without committing it: CopyFail ends a COPY
 * from the client, a Parse that cannot parse aborts the open transaction (even an extended-protocol
 * exchange's implicit one, which a Sync alone would commit), and Sync ends the exchange.
 */
export const ABORT_EXCHANGE = Buffer.concat([
  message('f', cstring('the client went away')),
  message('P', cstring(''), cstring('abort the abandoned exchange'), Buffer.from([0, 0])),
  message('S'),
]);

/** Backend messages that may come at any time, so they say nothing about where an exchange is. */
const ASYNCHRONOUS_TYPES = new Set(['A', 'N', 'S'].map((type) => type.charCodeAt(0)));
const READY_FOR_QUERY = 'Z'.charCodeAt(0);
const ERROR_RESPONSE = 'E'.charCodeAt(0);
const SEVERITY_FIELD_LENGTH = 'SFATAL\0'.length;

/**
 * Follows the backend's output across chunks, message by message, to tell when an exchange is
 * over: when its last message is ReadyForQuery. Only then may another client take the session:
 * after a Query ignored while an extended-protocol exchange waits for its Sync, for example,
 * there is none.
 */
export class BackendOutput {
  private readonly header = Buffer.alloc(5);
  private headerLength = 0;
  private bodyLeft = 0;
  /** The start of an ErrorResponse's body: its severity field. */
  private severity = '';
  /** The status of the ReadyForQuery the output ends with ('I' idle, 'T' in a transaction, 'E' failed one), if it does. */
  readyStatus: string | undefined;
  /** The backend reported FATAL or PANIC: its one session is over, and PGlite with it. */
  fatal = false;

  feed(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length;) {
      if (this.bodyLeft === 0) {
        this.header[this.headerLength++] = chunk[i++];
        if (this.headerLength < 5) continue;
        this.headerLength = 0;
        this.bodyLeft = this.header.readInt32BE(1) - 4;
        this.severity = '';
        if (!ASYNCHRONOUS_TYPES.has(this.header[0])) this.readyStatus = undefined;
        continue;
      }
      const taken = Math.min(this.bodyLeft, chunk.length - i);
      if (this.header[0] === ERROR_RESPONSE && this.severity.length < SEVERITY_FIELD_LENGTH) {
        this.severity += Buffer.from(chunk.subarray(i, i + Math.min(taken, SEVERITY_FIELD_LENGTH - this.severity.length))).toString(
          'latin1',
        );
        if (this.severity === 'SFATAL\0' || this.severity === 'SPANIC\0') this.fatal = true;
      }
      i += taken;
      this.bodyLeft -= taken;
      if (this.bodyLeft === 0 && this.header[0] === READY_FOR_QUERY) this.readyStatus = String.fromCharCode(chunk[i - 1]);
    }
  }

  /** Idle outside a transaction: the last message was ReadyForQuery 'I' and nothing followed. */
  get idle(): boolean {
    return this.readyStatus === 'I' && this.headerLength === 0 && this.bodyLeft === 0;
  }
}

/**
 * COPY … FROM STDIN makes PGlite read past the message it was given, which ends its one session
 * (FATAL: protocol synchronization lost). Refused by its words, wherever they are in the text: no
 * statement of the application contains both.
 */
export function copiesFromClient(type: string, bytes: Buffer): boolean {
  if (type !== 'Q' && type !== 'P') return false;
  const text = bytes.subarray(5).toString('latin1');
  return /\bcopy\b/i.test(text) && /\bstdin\b/i.test(text);
}

export const simpleQuery = (sql: string) => message('Q', cstring(sql));

/** 127.0.0.0/8 and ::1, plain or IPv4-mapped. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1' || address === '0:0:0:0:0:0:0:1';
}
