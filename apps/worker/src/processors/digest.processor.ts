import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { PapersStore, StoredPaper, Subscription, SubscriptionsStore } from '@paperfeed/db';
import { FeedRanker } from '@paperfeed/feed';
import { DigestPaper, digestPeriod, Mailer, PermanentMailError, renderConfirmation, renderDigest } from '@paperfeed/mail';
import { HandlesJob, jobIds, JobPayloads, QueueService } from '@paperfeed/queue';
import { WorkerMetrics } from '../worker-metrics';

/** How many candidates a query/category digest considers before dropping what was sent. */
const CANDIDATES = 100;

/**
 * Email digests. A digest goes out at most once per subscription and period: the period is
 * claimed in the database before sending and marked sent after; a retried or repeated run finds
 * the claim. The remaining window: a worker killed after the SMTP server accepted the message and
 * before the claim is marked sent leaves the claim 'sending', and that period is skipped (never
 * sent twice, possibly lost).
 */
@Injectable()
export class DigestProcessor {
  private readonly logger = new Logger(DigestProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly subscriptions: SubscriptionsStore,
    private readonly papers: PapersStore,
    private readonly feed: FeedRanker,
    private readonly mailer: Mailer,
    private readonly queues: QueueService,
    private readonly metrics: WorkerMetrics,
  ) {}

  private link(path: string, token: string): string {
    return `${this.config.publicUrl}/v1/subscriptions/${path}?token=${encodeURIComponent(token)}`;
  }

  @HandlesJob('digest.confirm')
  async confirm(data: JobPayloads['digest.confirm']) {
    const subscription = await this.subscriptions.get(data.subscriptionId);
    if (!subscription || subscription.state !== 'pending') return { sent: false, reason: 'not pending' };
    const mail = renderConfirmation({
      cadence: subscription.cadence,
      confirmUrl: this.link('confirm', subscription.confirmToken),
      unsubscribeUrl: this.link('unsubscribe', subscription.unsubscribeToken),
    });
    try {
      await this.mailer.send({ to: subscription.email, ...mail });
    } catch (error) {
      this.metrics.mailSent('confirmation', 'failed');
      throw error;
    }
    this.metrics.mailSent('confirmation', 'sent');
    return { sent: true };
  }

  @HandlesJob('digest.run')
  async run(data: JobPayloads['digest.run']) {
    const period = data.period ?? digestPeriod(data.cadence, new Date());
    const ids = await this.subscriptions.activeIds(data.cadence);
    await this.queues.enqueueMany(
      'digest.send',
      ids.map((subscriptionId) => ({ data: { subscriptionId, period }, jobId: jobIds.digestSend(subscriptionId, period) })),
    );
    return { period, subscriptions: ids.length };
  }

  @HandlesJob('digest.send')
  async send(data: JobPayloads['digest.send']) {
    const subscription = await this.subscriptions.get(data.subscriptionId);
    if (!subscription || subscription.state !== 'active') return { sent: false, reason: 'subscription not active' };
    const papers = await this.select(subscription);
    if (papers.length === 0) {
      await this.subscriptions.markEmpty(subscription.id, data.period);
      return { sent: false, reason: 'nothing new' };
    }
    if (
      !(await this.subscriptions.claim(
        subscription.id,
        data.period,
        papers.map((p) => p.id),
      ))
    ) {
      return { sent: false, reason: `the ${data.period} digest was already handled` };
    }
    const unsubscribeUrl = this.link('unsubscribe', subscription.unsubscribeToken);
    const mail = renderDigest({ cadence: subscription.cadence, papers, unsubscribeUrl });
    try {
      const messageId = await this.mailer.send({
        to: subscription.email,
        ...mail,
        messageId: `<digest-${subscription.id}-${data.period}@paperfeed>`,
        // RFC 8058 one-click unsubscribe: mail clients POST to this URL.
        headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
      await this.subscriptions.finish(subscription.id, data.period, { state: 'sent', messageId });
      this.metrics.mailSent('digest', 'sent');
      return { sent: true, papers: papers.length };
    } catch (error) {
      this.metrics.mailSent('digest', 'failed');
      await this.subscriptions.finish(subscription.id, data.period, { state: 'failed' });
      if (error instanceof PermanentMailError) {
        await this.subscriptions.markBounced(subscription.id);
        this.logger.warn(`subscription ${subscription.id} bounced: ${error.message}`);
        throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  }

  /**
   * The best papers that arrived since the last digest (the first digest: any) and that no digest
   * has sent this subscriber before.
   */
  private async select(subscription: Subscription): Promise<DigestPaper[]> {
    const sent = await this.subscriptions.sentPapers(subscription.id);
    const since = await this.subscriptions.lastSentAt(subscription.id);
    let ranked: { paper: StoredPaper; reasons: DigestPaper['reasons'] }[];
    if (subscription.userId) {
      ranked = await this.feed.rank(subscription.userId, {}, CANDIDATES);
    } else {
      const lists: StoredPaper[][] = [];
      if (subscription.query) lists.push((await this.papers.keywordSearch(subscription.query, {}, CANDIDATES, null)).map((h) => h.paper));
      for (const category of subscription.categories)
        lists.push(await this.papers.list({ sort: 'trending', category, limit: CANDIDATES }, null));
      if (lists.length === 0) lists.push(await this.papers.list({ sort: 'trending', limit: CANDIDATES }, null));
      const byId = new Map(lists.flat().map((paper) => [paper.id, paper]));
      ranked = [...byId.values()]
        .sort((a, b) => b.trendingScore - a.trendingScore)
        .map((paper) => ({
          paper,
          reasons: [
            ...(subscription.query ? [{ type: 'interest' as const, keyword: subscription.query }] : []),
            ...subscription.categories
              .filter((c) => paper.categories.includes(c))
              .map((category) => ({ type: 'interest' as const, category })),
            { type: 'trending' as const },
          ],
        }));
    }
    return ranked
      .filter((item) => !sent.has(item.paper.id) && (!since || item.paper.createdAt >= since))
      .slice(0, this.config.digestSize)
      .map(({ paper, reasons }) => ({
        id: paper.id,
        title: paper.title,
        authors: paper.authors,
        abstract: paper.abstract,
        url: paper.url ?? `${this.config.publicUrl}/v1/papers/${encodeURIComponent(paper.id)}`,
        reasons,
      }));
  }
}
