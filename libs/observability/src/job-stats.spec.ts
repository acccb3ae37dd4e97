import { jobDurationIncrements, renderJobStats } from './job-stats';

describe('job statistics', () => {
  it('counts a job in every bucket at or above its duration', () => {
    const increments = jobDurationIncrements('embed', 0.3, 'completed');
    expect(increments['job_seconds_bucket|embed|completed|0.25']).toBeUndefined();
    expect(increments['job_seconds_bucket|embed|completed|0.5']).toBe(1);
    expect(increments['job_seconds_bucket|embed|completed|300']).toBe(1);
    expect(increments['job_seconds_count|embed|completed']).toBe(1);
  });

  it('renders cumulative Prometheus histograms and counters', () => {
    const stats: Record<string, number> = { papers_ingested: 12, embeddings_computed: 10 };
    for (const seconds of [0.3, 2]) {
      for (const [field, by] of Object.entries(jobDurationIncrements('embed', seconds, 'completed')))
        stats[field] = (stats[field] ?? 0) + by;
    }
    const text = renderJobStats(stats);
    expect(text).toContain('# TYPE paperfeed_job_duration_seconds histogram');
    expect(text).toContain('paperfeed_job_duration_seconds_bucket{queue="embed",outcome="completed",le="0.5"} 1');
    expect(text).toContain('paperfeed_job_duration_seconds_bucket{queue="embed",outcome="completed",le="2.5"} 2');
    expect(text).toContain('paperfeed_job_duration_seconds_bucket{queue="embed",outcome="completed",le="+Inf"} 2');
    expect(text).toContain('paperfeed_job_duration_seconds_sum{queue="embed",outcome="completed"} 2.3');
    expect(text).toContain('paperfeed_papers_ingested_total 12');
    expect(text).toContain('paperfeed_embeddings_computed_total 10');
  });
});
