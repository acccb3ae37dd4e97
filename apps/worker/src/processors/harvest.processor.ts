import { Inject, Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { HarvestsStore } from '@paperfeed/db';
import { HarvestService } from '@paperfeed/harvest';
import { WorkerMetrics } from '../worker-metrics';
import { HandlesJob, JobPayloads, QueueService, RateLimitedError } from '@paperfeed/queue';
import {
  fetchSource,
  FetchPolicy,
  isArxivSource,
  MalformedDocumentError,
  pageUrl,
  readPage,
  SourceEndpoints,
  SourceUnavailableError,
  validateSourceRequest,
} from '@paperfeed/sources';
import { PaperIngest } from '@paperfeed/ingest';

/** Source documents larger than this are refused (an OAI-PMH page of 1,000 records is ~2 MB). */
const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

/**
 * Runs harvests one page per job: fetch (politely, see fetchSource), parse (bad records are
 * rejected one by one), store page and cursor together, queue the next page. A retried page is
 * fetched again but stored once.
 */
@Injectable()
export class HarvestProcessor {
  private readonly logger = new Logger(HarvestProcessor.name);
  private readonly endpoints: SourceEndpoints;
  private readonly policy: FetchPolicy;
  private readonly arxivIntervalMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly harvests: HarvestsStore,
    private readonly harvestService: HarvestService,
    private readonly ingest: PaperIngest,
    private readonly queues: QueueService,
    private readonly metrics: WorkerMetrics,
  ) {
    this.arxivIntervalMs = config.arxivMinIntervalMs;
    this.endpoints = {
      arxivApiUrl: config.arxivApiUrl,
      arxivOaiUrl: config.arxivOaiUrl,
      hfApiUrl: config.hfApiUrl,
      feedHosts: config.sourceHosts,
    };
    const endpointHosts = [config.arxivApiUrl, config.arxivOaiUrl, config.hfApiUrl].map((url) => new URL(url).host);
    this.policy = {
      allowedHosts: [...new Set([...endpointHosts, ...config.sourceHosts])],
      timeoutMs: config.sourceTimeoutMs,
      maxBytes: MAX_DOCUMENT_BYTES,
      userAgent: `paperfeed/0.1 (self-hosted research paper feed; ${config.publicUrl}; mailto:${config.mailFrom.replace(/^.*<|>.*$/g, '')})`,
    };
  }

  /** A scheduled ingestion: its request is checked again (it was stored in Redis), then harvested. */
  @HandlesJob('harvest.start')
  async start(data: JobPayloads['harvest.start']) {
    const checked = validateSourceRequest(data.request, this.endpoints);
    if ('errors' in checked)
      throw new UnrecoverableError(`scheduled ingestion is not a valid source request: ${checked.errors.join('; ')}`);
    return { harvest: await this.harvestService.start(checked.request) };
  }

  @HandlesJob('harvest.page')
  page(data: JobPayloads['harvest.page'], job: Job) {
    return this.runPage(data.harvestId, job);
  }

  @HandlesJob('harvest.arxiv-page')
  arxivPage(data: JobPayloads['harvest.arxiv-page'], job: Job) {
    return this.runPage(data.harvestId, job);
  }

  private async runPage(harvestId: string, job: Job) {
    const harvest = await this.harvests.activate(harvestId);
    if (!harvest) throw new UnrecoverableError(`harvest ${harvestId} does not exist`);
    if (harvest.state === 'completed' || harvest.state === 'failed') return { skipped: harvest.state };
    const url = pageUrl(harvest.request, harvest.cursor, this.endpoints);
    try {
      if (isArxivSource(harvest.request)) {
        const wait = await this.queues.reserveSlot('arxiv', this.arxivIntervalMs);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      // Conditional requests for single-document sources (feeds, daily lists) fetched again and again.
      const singlePage = harvest.request.source === 'rss' || harvest.request.source === 'hf-daily';
      const validators = singlePage ? await this.harvests.validators(url) : {};
      const fetched = await fetchSource(url, this.policy, validators).finally(() =>
        // The interval counts from the end of this request, so the next one cannot reach the
        // server sooner however long this one took to leave.
        isArxivSource(harvest.request) ? this.queues.markRequest('arxiv', this.arxivIntervalMs) : undefined,
      );
      if (fetched.status === 'not-modified') {
        await this.harvests.complete(harvestId);
        return { notModified: true };
      }
      let page: ReturnType<typeof readPage>;
      try {
        page = readPage(harvest.request, harvest.cursor, fetched.body);
      } catch (error) {
        // A malformed document may be a transient fault of the source: retried with backoff.
        if (error instanceof MalformedDocumentError) throw new Error(`${url}: ${error.message}`, { cause: error });
        throw error;
      }
      // The page's records go the one ingestion path (libs/ingest), in the transaction that moves the cursor.
      const stored = await this.harvests.storePage(
        harvestId,
        harvest.cursor,
        page.next,
        (manager) => this.ingest.store(page.records, manager),
        page.expected,
      );
      if (singlePage) await this.harvests.saveValidators(url, fetched.validators);
      // Also after a page stored by an earlier attempt: queueing is idempotent (job ids).
      if (stored) {
        this.metrics.papersIngested(stored.counts.created + stored.counts.updated);
        await this.ingest.queueEmbedding(stored.needsEmbedding);
      }
      const current = stored ?? (await this.harvests.get(harvestId));
      if (current?.state === 'active') await this.harvestService.queuePage(harvest.request, harvestId, current.pages);
      return stored ? stored.counts : { alreadyStored: true };
    } catch (error) {
      // The source said when to come back (429/503 with Retry-After): a delayed retry, not a failure.
      if (error instanceof SourceUnavailableError && error.retryAfterMs) throw new RateLimitedError(error.message, error.retryAfterMs);
      const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (final) {
        await this.harvests.fail(harvestId, (error as Error).message);
        this.logger.warn(`harvest ${harvestId} failed: ${(error as Error).message}`);
      }
      throw error;
    }
  }
}
