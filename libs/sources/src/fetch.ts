import { UnrecoverableError } from 'bullmq';

/** The source asked us to come back later (429/503 with Retry-After), or failed transiently. */
export class SourceUnavailableError extends Error {
  constructor(
    message: string,
    /** How long the source asked us to wait, when it said. */
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

export interface FetchPolicy {
  /** Hosts (host or host:port) that may be fetched; redirects elsewhere are refused. */
  allowedHosts: string[];
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
}

export interface Validators {
  etag?: string | null;
  lastModified?: string | null;
}

export type FetchResult = { status: 'ok'; body: string; validators: Validators } | { status: 'not-modified' };

const MAX_REDIRECTS = 3;

/**
 * Whether a URL is on the allow-list: an entry `host` allows that host on its scheme's default
 * port only; `host:port` allows that port only (so allowing a host never opens its other
 * services, e.g. paperfeed's own api on the same machine).
 */
export function isAllowedUrl(url: string, allowedHosts: string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  // URL drops a port that is the scheme's default, so `port` is '' exactly for default ports.
  return allowedHosts.some((entry) => {
    try {
      const allowed = new URL(`${parsed.protocol}//${entry}`);
      return allowed.hostname === parsed.hostname && allowed.port === parsed.port;
    } catch {
      return false; // not a host[:port]
    }
  });
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

async function readLimited(response: Response, maxBytes: number, url: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) throw new UnrecoverableError(`${url}: response of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new UnrecoverableError(`${url}: response exceeds the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GETs a source document politely and safely: only allowed hosts (also after redirects), a time
 * and size limit, a descriptive User-Agent, conditional requests. 429/5xx and network failures
 * are SourceUnavailableError (retried with backoff, honouring Retry-After); other 4xx, a
 * disallowed host or an oversized body are UnrecoverableError (retrying cannot help).
 */
export async function fetchSource(url: string, policy: FetchPolicy, validators: Validators = {}): Promise<FetchResult> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (!isAllowedUrl(current, policy.allowedHosts)) {
      throw new UnrecoverableError(`${current}: host is not on the allow-list (${policy.allowedHosts.join(', ')})`);
    }
    const headers: Record<string, string> = { 'user-agent': policy.userAgent, accept: '*/*' };
    if (validators.etag) headers['if-none-match'] = validators.etag;
    if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
    let response: Response;
    try {
      response = await fetch(current, { headers, redirect: 'manual', signal: AbortSignal.timeout(policy.timeoutMs) });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${policy.timeoutMs} ms` : (error as Error).message;
      throw new SourceUnavailableError(`${current}: ${reason}`, null);
    }
    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (!location) throw new UnrecoverableError(`${current}: redirect without a Location`);
      current = new URL(location, current).toString();
      continue;
    }
    if (response.status === 304) return { status: 'not-modified' };
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      throw new SourceUnavailableError(`${current}: HTTP ${response.status}`, retryAfterMs(response.headers.get('retry-after')));
    }
    if (response.status >= 400) {
      await response.body?.cancel();
      throw new UnrecoverableError(`${current}: HTTP ${response.status}`);
    }
    return {
      status: 'ok',
      body: await readLimited(response, policy.maxBytes, current),
      validators: { etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') },
    };
  }
  throw new UnrecoverableError(`${url}: more than ${MAX_REDIRECTS} redirects`);
}
