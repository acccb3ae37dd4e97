import { Inject, Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { EmbeddingSpacesStore, HarvestsStore, PapersStore } from '@paperfeed/db';
import { modelKeyOf } from '@paperfeed/embeddings';
import { renderJobStats } from '@paperfeed/observability';
import { QUEUES, QueueService } from '@paperfeed/queue';

/**
 * The api's Prometheus registry: its own process and HTTP metrics, the queues, what operators
 * watch in the database (embedding backlog, harvests under way), and the workers' shared
 * counters. A source that does not answer (Redis or the database down) leaves its series out of
 * that scrape; the scrape itself still answers.
 */
@Injectable()
export class MetricsService {
  private readonly logger = new Logger(MetricsService.name);
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly queues: QueueService,
    papers: PapersStore,
    spaces: EmbeddingSpacesStore,
    harvests: HarvestsStore,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'paperfeed_api_' });
    this.httpDuration = new Histogram({
      name: 'paperfeed_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    const guarded = (what: string, collect: () => Promise<void>) => async () => {
      try {
        await collect();
      } catch (error) {
        this.logger.warn(`metrics: ${what} unavailable: ${(error as Error).message}`);
      }
    };
    const modelKey = modelKeyOf({ model: config.embeddingModel, dtype: config.embeddingDtype });
    const jobs = new Gauge({
      name: 'paperfeed_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      collect: guarded('queues', async () => {
        for (const { name, counts } of await Promise.all(QUEUES.map((name) => queues.overview(name)))) {
          for (const [state, count] of Object.entries(counts)) jobs.set({ queue: name, state }, count);
        }
      }),
    });
    const backlog = new Gauge({
      name: 'paperfeed_embedding_backlog',
      help: 'Papers without a current vector of the configured model (waiting to be embedded)',
      registers: [this.registry],
      collect: guarded('embedding backlog', async () => {
        const space = await spaces.find(modelKey);
        backlog.set(await papers.embeddingBacklog(space?.id ?? null));
      }),
    });
    const harvest = new Gauge({
      name: 'paperfeed_harvests_in_progress',
      help: 'Harvests waiting or under way: how many, pages fetched, records received, records their sources announced',
      labelNames: ['measure'],
      registers: [this.registry],
      collect: guarded('harvests', async () => {
        const progress = await harvests.progress();
        for (const measure of ['active', 'pages', 'received', 'expected'] as const) harvest.set({ measure }, progress[measure]);
      }),
    });
  }

  async render(): Promise<string> {
    const own = await this.registry.metrics();
    const shared = await this.queues.readStats().catch(() => ({}));
    return `${own}\n${renderJobStats(shared)}`;
  }
}
