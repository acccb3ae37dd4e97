import { RedisOptions } from 'ioredis';

/**
 * Redis connection options. Producers (the api) fail fast when Redis is down, so a request gets
 * a 503 at once instead of hanging; workers wait and reconnect, as BullMQ requires.
 */
export function redisOptions(redisUrl: string, role: 'producer' | 'worker'): RedisOptions {
  const url = new URL(redisUrl);
  const base: RedisOptions = {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
  };
  if (role === 'worker') return { ...base, maxRetriesPerRequest: null };
  return {
    ...base,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
}
