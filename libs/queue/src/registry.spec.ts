import { handlerProblems, HandlesJob } from './job-handler.decorator';
import { JOB_NAMES, JOBS, jobIds, jobsOfQueues, parseQueueNames, QUEUES } from './registry';

describe('queue registry', () => {
  it('puts every job on a known queue', () => {
    for (const name of JOB_NAMES) expect(QUEUES).toContain(JOBS[name].queue);
  });

  it('selects the jobs of the consumed queues', () => {
    expect(jobsOfQueues(['ingest']).sort()).toEqual(['harvest.page', 'harvest.start', 'ingest.papers']);
    expect(jobsOfQueues(['arxiv'])).toEqual(['harvest.arxiv-page']);
    expect(jobsOfQueues(['digest']).sort()).toEqual(['digest.confirm', 'digest.run', 'digest.send']);
    expect(jobsOfQueues(['embed']).sort()).toEqual(['embed.papers', 'embed.reconcile']);
    expect(jobsOfQueues(['profile'])).toEqual(['profile.fold']);
  });

  it('parses WORKER_QUEUES and names an unknown queue', () => {
    expect(parseQueueNames(undefined)).toEqual([...QUEUES]);
    expect(parseQueueNames(['embed'])).toEqual(['embed']);
    expect(() => parseQueueNames(['embed', 'emails'])).toThrow('unknown queue "emails"');
  });

  it('makes job ids BullMQ accepts (no colon)', () => {
    expect(jobIds.ingestPapers('a-b')).not.toContain(':');
    expect(jobIds.embedPapers('abc')).toBe('embed-papers-abc');
  });
});

describe('handlerProblems', () => {
  it('accepts exactly one handler per job', () => {
    expect(handlerProblems(['ingest.papers'], ['ingest.papers'])).toEqual([]);
  });

  it('names a job without a handler and a job with two', () => {
    expect(handlerProblems(['ingest.papers', 'embed.papers'], ['embed.papers', 'embed.papers'])).toEqual([
      'job "ingest.papers" has no handler',
      'job "embed.papers" has 2 handlers',
    ]);
  });
});

// Compile-time checks (npm test runs tsc over the specs): a handler must take its job's payload.
export class TypedHandlers {
  @HandlesJob('ingest.papers')
  async right(data: { batchId: string }) {
    return data.batchId;
  }

  // @ts-expect-error: embed.papers carries paperIds, not batchId
  @HandlesJob('embed.papers')
  async wrong(data: { batchId: string }) {
    return data.batchId;
  }
}
