import { isIP } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Every setting paperfeed reads from the environment, validated once at startup. */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  /** The address the api listens on. */
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string;
  /** BullMQ key prefix; the hash tag keeps a queue's keys in one Redis Cluster slot. */
  queuePrefix: string;
  adminToken: string | undefined;
  embeddingModel: string;
  embeddingDtype: EmbeddingDtype;
  embedMaxTokens: number;
  modelCacheDir: string;
  allowRemoteModels: boolean;
  workerConcurrency: number;
  embedBatchSize: number;
  embedThreads: number;
  embedRunner: 'thread' | 'process';
  workerQueues: string[] | undefined;
  reconcileEveryMs: number;
  /** Validated here; the JSON logger reads LOG_LEVEL itself (it exists before the config). */
  logLevel: (typeof LOG_LEVELS)[number];
  /** The worker's own /metrics and /health port (unset: none). */
  metricsPort: number | undefined;
  /** How long a worker holds a job before others may take it over (a killed worker's jobs return after this). */
  jobLockMs: number;
  arxivApiUrl: string;
  arxivOaiUrl: string;
  hfApiUrl: string;
  arxivMinIntervalMs: number;
  sourceHosts: string[];
  sourceTimeoutMs: number;
  rateLimitPerMinute: number;
  smtpUrl: string | undefined;
  digestHour: number;
  digestWeekday: number;
  digestSize: number;
  mailFrom: string;
  publicUrl: string;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export const EMBEDDING_DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16'] as const;
export type EmbeddingDtype = (typeof EMBEDDING_DTYPES)[number];

/** A problem that stops a process at startup; its message is the one line printed before exit. */
export class StartupError extends Error {}

/** A bad setting, named. */
export class ConfigError extends StartupError {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, fallback: string | undefined, protocols: string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function list(env: Env, name: string): string[] | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** An IP address (v4 or v6) or a host name (RFC 1123 labels). */
function host(env: Env, name: string, fallback: string): string {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const hostname = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
  if (isIP(raw) || hostname.test(raw)) return raw;
  throw new ConfigError(name, `must be an IP address or a host name, got "${raw}"`);
}

/** Accepts "500", "500ms", "30s", "10m", "1h". */
function duration(env: Env, name: string, fallbackMs: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallbackMs;
  const match = /^(\d+)(ms|s|m|h)?$/.exec(raw);
  if (!match) throw new ConfigError(name, `must be a duration like 500ms, 30s, 10m or 1h, got "${raw}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

/** Parses and validates the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = read(env, 'NODE_ENV') ?? 'development';
  const dataDir = path.resolve(read(env, 'DATA_DIR') ?? './data');
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const adminToken = read(env, 'ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('ADMIN_TOKEN', 'must be at least 16 characters');
  }
  const sourceHosts = list(env, 'SOURCE_HOSTS') ?? ['rss.arxiv.org', 'export.arxiv.org', 'arxiv.org'];
  const badHost = sourceHosts.find((host) => !/^[a-z0-9.-]+(:\d+)?$/i.test(host));
  if (badHost) throw new ConfigError('SOURCE_HOSTS', `must be comma-separated host names, got "${badHost}"`);

  return {
    nodeEnv,
    port: int(env, 'PORT', 3000, 0, 65535),
    host: host(env, 'HOST', '127.0.0.1'),
    databaseUrl: url(env, 'DATABASE_URL', undefined, ['postgres:', 'postgresql:']),
    dataDir,
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']) as string,
    queuePrefix: read(env, 'QUEUE_PREFIX') ?? '{paperfeed}',
    adminToken,
    embeddingModel: read(env, 'EMBEDDING_MODEL') ?? 'Xenova/all-MiniLM-L6-v2',
    embeddingDtype: oneOf(env, 'EMBEDDING_DTYPE', 'q8', EMBEDDING_DTYPES),
    // sentence-transformers trains and runs all-MiniLM-L6-v2 at 256 tokens; the model files say 512.
    embedMaxTokens: int(env, 'EMBED_MAX_TOKENS', 256, 8, 8192),
    modelCacheDir: path.resolve(read(env, 'MODEL_CACHE_DIR') ?? path.join(dataDir, 'models')),
    allowRemoteModels: bool(env, 'ALLOW_REMOTE_MODELS', true),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 4, 1, 256),
    embedBatchSize: int(env, 'EMBED_BATCH_SIZE', 8, 1, 256),
    embedThreads: int(env, 'EMBED_THREADS', cores, 1, 256),
    embedRunner: oneOf(env, 'EMBED_RUNNER', 'thread', ['thread', 'process'] as const),
    workerQueues: list(env, 'WORKER_QUEUES'),
    reconcileEveryMs: duration(env, 'RECONCILE_EVERY', 10 * 60_000),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    metricsPort: read(env, 'METRICS_PORT') === undefined ? undefined : int(env, 'METRICS_PORT', 0, 0, 65535),
    jobLockMs: duration(env, 'JOB_LOCK', 30_000),
    arxivApiUrl: url(env, 'ARXIV_API_URL', 'https://export.arxiv.org/api/query', ['http:', 'https:']) as string,
    arxivOaiUrl: url(env, 'ARXIV_OAI_URL', 'https://oaipmh.arxiv.org/oai', ['http:', 'https:']) as string,
    hfApiUrl: url(env, 'HF_API_URL', 'https://huggingface.co/api', ['http:', 'https:']) as string,
    arxivMinIntervalMs: int(env, 'ARXIV_MIN_INTERVAL_MS', 3000, 0, 3_600_000),
    sourceHosts,
    sourceTimeoutMs: int(env, 'SOURCE_TIMEOUT_MS', 30_000, 100, 600_000),
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000),
    smtpUrl: url(env, 'SMTP_URL', undefined, ['smtp:', 'smtps:']),
    digestHour: int(env, 'DIGEST_HOUR', 7, 0, 23),
    digestWeekday: int(env, 'DIGEST_WEEKDAY', 1, 0, 6),
    digestSize: int(env, 'DIGEST_SIZE', 10, 1, 100),
    mailFrom: read(env, 'MAIL_FROM') ?? 'paperfeed <paperfeed@localhost>',
    publicUrl: url(env, 'PUBLIC_URL', `http://localhost:${int(env, 'PORT', 3000, 0, 65535)}`, ['http:', 'https:']) as string,
  };
}

/** The api refuses to run in production without an explicit admin token. */
export function requireAdminToken(config: AppConfig): string {
  if (config.adminToken) return config.adminToken;
  throw new ConfigError('ADMIN_TOKEN', 'is required (set it, or use `npm start`, which generates one)');
}

/** Ends a process whose startup failed: one line for a StartupError, the stack otherwise. */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}
