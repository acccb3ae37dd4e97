import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import { randomBytes } from 'node:crypto';
// ioredis's own slot function (the CRC16 Redis Cluster uses); it ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const clusterKeySlot: (key: string) => number = require('cluster-key-slot');
import { loadConfig } from '@paperfeed/config';
import { QueueService } from './queue.service';
import { QUEUES } from './registry';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Redis Cluster runs a Lua script only when every key it touches is in one hash slot. BullMQ keys
 * are `<prefix>:<queue>:...`: with a hash tag in the prefix, each queue's keys (and the shared
 * statistics) land in one slot. This writes every kind of key paperfeed makes, on a real Redis,
 * and checks the slots.
 */
describe('queue keys for Redis Cluster (real Redis)', () => {
  const prefix = `{pf-cluster-${randomBytes(4).toString('hex')}}`;
  const redis = new IORedis(REDIS_URL);
  const queues = new QueueService(REDIS_URL, prefix);

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await queues.close();
    await redis.quit();
  });

  it('uses a hash-tagged prefix by default', () => {
    expect(loadConfig({}).queuePrefix).toMatch(/^\{[^}]+\}$/);
  });

  it('puts every key of every queue, its jobs, locks, schedules and the statistics in one slot', async () => {
    await queues.enqueue('ingest.papers', { batchId: 'b1' });
    await queues.enqueue('embed.papers', { paperIds: ['p1'] }, { jobId: 'embed-p1' });
    await queues.schedule('cluster-check', 'embed.reconcile', {}, 60_000);
    await queues.scheduleRepeat('cluster-digest', 'digest.run', { cadence: 'daily' }, { pattern: '0 7 * * *' });
    await queues.incrementStats({ papers_ingested: 1 });
    await queues.reserveSlot('arxiv', 1000);
    // A worker adds the lock, active-list, event-stream and completed-set keys.
    const worker = new Worker('ingest', async () => 'ok', { connection: { url: REDIS_URL } as never, prefix });
    await new Promise<void>((resolve) => worker.on('completed', () => resolve()));
    await worker.close();

    const keys = await redis.keys(`${prefix}*`);
    const queuesSeen = new Set(keys.map((key) => key.slice(prefix.length + 1).split(':')[0]));
    expect([...queuesSeen].sort()).toEqual([...QUEUES, 'slot', 'stats'].sort());
    expect(keys.length).toBeGreaterThan(10);
    expect(new Set(keys.map((key) => clusterKeySlot(key))).size).toBe(1);
  });
});
