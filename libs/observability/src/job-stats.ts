/**
 * Job durations and pipeline counters, kept as shared counters in Redis: every worker adds to
 * them, and the api's /metrics reports the sum over all workers as Prometheus histograms and
 * counters (so one scrape of the api covers a scaled-out fleet).
 */
export const JOB_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Counter fields for one finished job. */
export function jobDurationIncrements(queue: string, seconds: number, outcome: 'completed' | 'failed'): Record<string, number> {
  const increments: Record<string, number> = {
    [`job_seconds_sum|${queue}|${outcome}`]: seconds,
    [`job_seconds_count|${queue}|${outcome}`]: 1,
  };
  for (const bucket of JOB_DURATION_BUCKETS) if (seconds <= bucket) increments[`job_seconds_bucket|${queue}|${outcome}|${bucket}`] = 1;
  return increments;
}

export const PAPERS_INGESTED = 'papers_ingested';
export const EMBEDDINGS_COMPUTED = 'embeddings_computed';
/** Mail the digest worker hands to SMTP, by kind (digest, confirmation) and outcome (sent, failed). */
export const mailCounter = (kind: 'digest' | 'confirmation', outcome: 'sent' | 'failed') => `mails|${kind}|${outcome}`;

const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** Renders the shared counters in Prometheus text format. */
export function renderJobStats(stats: Record<string, number>): string {
  const lines = [
    '# HELP paperfeed_job_duration_seconds Time from a job starting to finishing, all workers.',
    '# TYPE paperfeed_job_duration_seconds histogram',
  ];
  const series = new Set<string>();
  for (const field of Object.keys(stats)) {
    const [kind, queue, outcome] = field.split('|');
    if (kind === 'job_seconds_count') series.add(`${queue}|${outcome}`);
  }
  for (const key of [...series].sort()) {
    const [queue, outcome] = key.split('|');
    const labels = `queue="${label(queue)}",outcome="${label(outcome)}"`;
    for (const bucket of JOB_DURATION_BUCKETS) {
      lines.push(`paperfeed_job_duration_seconds_bucket{${labels},le="${bucket}"} ${stats[`job_seconds_bucket|${key}|${bucket}`] ?? 0}`);
    }
    const count = stats[`job_seconds_count|${key}`] ?? 0;
    lines.push(`paperfeed_job_duration_seconds_bucket{${labels},le="+Inf"} ${count}`);
    lines.push(`paperfeed_job_duration_seconds_sum{${labels}} ${stats[`job_seconds_sum|${key}`] ?? 0}`);
    lines.push(`paperfeed_job_duration_seconds_count{${labels}} ${count}`);
  }
  lines.push(
    '# HELP paperfeed_papers_ingested_total Papers created or updated by ingestion, all workers.',
    '# TYPE paperfeed_papers_ingested_total counter',
    `paperfeed_papers_ingested_total ${stats[PAPERS_INGESTED] ?? 0}`,
    '# HELP paperfeed_embeddings_computed_total Paper vectors computed and stored, all workers.',
    '# TYPE paperfeed_embeddings_computed_total counter',
    `paperfeed_embeddings_computed_total ${stats[EMBEDDINGS_COMPUTED] ?? 0}`,
    '# HELP paperfeed_mails_total Mails handed to SMTP by the workers, by kind and outcome.',
    '# TYPE paperfeed_mails_total counter',
  );
  for (const kind of ['digest', 'confirmation'] as const) {
    for (const outcome of ['sent', 'failed'] as const) {
      lines.push(`paperfeed_mails_total{kind="${kind}",outcome="${outcome}"} ${stats[mailCounter(kind, outcome)] ?? 0}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
