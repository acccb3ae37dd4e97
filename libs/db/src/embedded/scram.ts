import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The server side of SCRAM-SHA-256 (RFC 5802 / RFC 7677), the password exchange Postgres and the
 * `pg` driver use by default: the password never crosses the wire, and the client checks that the
 * server knows it too. Channel binding is not offered (the server speaks plain TCP on loopback).
 */
export const SCRAM_MECHANISM = 'SCRAM-SHA-256';

const ITERATIONS = 4096;

/** What Postgres keeps in pg_authid for a SCRAM password: computed once per server. */
export interface ScramVerifier {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

export function scramVerifier(password: string): ScramVerifier {
  const salt = randomBytes(16);
  const saltedPassword = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  return { salt, storedKey: sha256(hmac(saltedPassword, 'Client Key')), serverKey: hmac(saltedPassword, 'Server Key') };
}

/** Thrown for a message that is not valid SCRAM; a wrong password is a false `verify`, not this. */
export class ScramProtocolError extends Error {}

/** The attributes of a SCRAM message ("r=…,s=…"), in order. */
function attributes(message: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of message.split(',')) {
    const match = /^([a-zA-Z])=(.*)$/s.exec(part);
    if (!match) throw new ScramProtocolError(`malformed SCRAM attribute "${part.slice(0, 20)}"`);
    result.set(match[1], match[2]);
  }
  return result;
}

/** One client's exchange: `first` answers client-first-message, `final` checks the proof. */
export class ScramExchange {
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(private readonly verifier: ScramVerifier) {}

  /** Takes client-first-message ("n,,n=user,r=nonce"), returns server-first-message. */
  first(clientFirst: string): string {
    const header = /^([nyp])(=[^,]*)?,[^,]*,/.exec(clientFirst);
    if (!header) throw new ScramProtocolError('malformed SCRAM client-first-message');
    if (header[1] === 'p') throw new ScramProtocolError('SCRAM channel binding is not supported');
    this.gs2Header = header[0];
    this.clientFirstBare = clientFirst.slice(header[0].length);
    const clientNonce = attributes(this.clientFirstBare).get('r');
    if (!clientNonce || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw new ScramProtocolError('malformed SCRAM client nonce');
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${ITERATIONS}`;
    return this.serverFirst;
  }

  /**
   * Takes client-final-message ("c=…,r=…,p=proof"); returns server-final-message ("v=…") when
   * the proof shows the client knows the password, undefined when it does not.
   */
  final(clientFinal: string): string | undefined {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (!this.nonce || proofAt < 0) throw new ScramProtocolError('malformed SCRAM client-final-message');
    const withoutProof = clientFinal.slice(0, proofAt);
    const fields = attributes(withoutProof);
    if (fields.get('c') !== Buffer.from(this.gs2Header).toString('base64')) throw new ScramProtocolError('SCRAM channel binding mismatch');
    if (fields.get('r') !== this.nonce) throw new ScramProtocolError('SCRAM nonce mismatch');
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.verifier.storedKey, authMessage);
    if (proof.length !== signature.length) return undefined;
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i] ^ signature[i];
    if (!timingSafeEqual(sha256(clientKey), this.verifier.storedKey)) return undefined;
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}
