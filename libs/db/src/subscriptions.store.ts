import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

export type Cadence = 'daily' | 'weekly';

export interface Subscription {
  id: string;
  email: string;
  cadence: Cadence;
  userId: string | null;
  query: string | null;
  categories: string[];
  state: 'pending' | 'active' | 'unsubscribed' | 'bounced';
  confirmToken: string;
  unsubscribeToken: string;
}

interface SubscriptionRow {
  id: string;
  email: string;
  cadence: Cadence;
  user_id: string | null;
  query: string | null;
  categories: string[];
  state: Subscription['state'];
  confirm_token: string;
  unsubscribe_token: string;
}

const toSubscription = (row: SubscriptionRow): Subscription => ({
  id: row.id,
  email: row.email,
  cadence: row.cadence,
  userId: row.user_id,
  query: row.query,
  categories: row.categories,
  state: row.state,
  confirmToken: row.confirm_token,
  unsubscribeToken: row.unsubscribe_token,
});

const token = () => randomBytes(24).toString('base64url');

/** An address gets at most one confirmation mail per 10 minutes and five a day, whoever asks. */
export const CONFIRMATION_MAIL_LIMITS = { perTenMinutes: 1, perDay: 5 };
/** A confirmation link works this long after the (last) request that sent it. */
const CONFIRMATION_DAYS = 7;

/** Digest subscriptions and the log of digests sent. */
export class SubscriptionsStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates a pending subscription, or returns the existing one for the same address, cadence and
   * content (subscribing twice duplicates nothing). An unsubscribed or bounced one becomes pending
   * again with new tokens (the old links stay dead); a pending one's link is extended.
   */
  async subscribe(input: {
    email: string;
    cadence: Cadence;
    userId: string | null;
    query: string | null;
    categories: string[];
  }): Promise<Subscription> {
    const contentKey = createHash('sha1')
      .update(JSON.stringify([input.userId, input.query, [...input.categories].sort()]))
      .digest('hex');
    const rows: SubscriptionRow[] = await this.dataSource.query(
      `INSERT INTO subscriptions (id, email, cadence, user_id, query, categories, content_key, confirm_token, unsubscribe_token, confirm_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(days => ${CONFIRMATION_DAYS}))
       ON CONFLICT (email, cadence, content_key) DO UPDATE SET
         state = CASE WHEN subscriptions.state = 'active' THEN 'active' ELSE 'pending' END,
         confirm_token = CASE WHEN subscriptions.state IN ('unsubscribed', 'bounced') THEN excluded.confirm_token ELSE subscriptions.confirm_token END,
         unsubscribe_token = CASE WHEN subscriptions.state IN ('unsubscribed', 'bounced') THEN excluded.unsubscribe_token ELSE subscriptions.unsubscribe_token END,
         confirm_expires_at = CASE WHEN subscriptions.state = 'active' THEN subscriptions.confirm_expires_at ELSE excluded.confirm_expires_at END
       RETURNING *`,
      [randomUUID(), input.email, input.cadence, input.userId, input.query, input.categories, contentKey, token(), token()],
    );
    return toSubscription(rows[0]);
  }

  /**
   * Records a confirmation mail to `email` if its limits allow one now (CONFIRMATION_MAIL_LIMITS,
   * counted per address whoever asks; checked and recorded under a lock on the address, so
   * concurrent requests cannot both pass). Returns the record's id, or null when over a limit.
   */
  async recordConfirmationMail(email: string): Promise<string | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('confirmation-mail:' || $1))`, [email]);
      const [recent]: { ten_minutes: number; day: number }[] = await manager.query(
        `SELECT count(*) FILTER (WHERE sent_at > now() - interval '10 minutes')::int AS ten_minutes,
                count(*) FILTER (WHERE sent_at > now() - interval '1 day')::int AS day
         FROM confirmation_mails WHERE email = $1`,
        [email],
      );
      if (recent.ten_minutes >= CONFIRMATION_MAIL_LIMITS.perTenMinutes || recent.day >= CONFIRMATION_MAIL_LIMITS.perDay) return null;
      await manager.query(`DELETE FROM confirmation_mails WHERE email = $1 AND sent_at < now() - interval '1 day'`, [email]);
      const [row]: { id: string }[] = await manager.query(`INSERT INTO confirmation_mails (email) VALUES ($1) RETURNING id::text AS id`, [
        email,
      ]);
      return row.id;
    });
  }

  /** Withdraws a recorded confirmation mail that could not be queued (it was never sent). */
  async forgetConfirmationMail(recordId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM confirmation_mails WHERE id = $1`, [recordId]);
  }

  /** Activates the pending subscription of an unexpired confirmation token; null for an unknown, used or expired one. */
  async confirm(confirmToken: string): Promise<Subscription | null> {
    return this.changed(
      `UPDATE subscriptions SET state = 'active', confirmed_at = now()
       WHERE confirm_token = $1 AND state = 'pending' AND confirm_expires_at > now() RETURNING *`,
      [confirmToken],
    );
  }

  /** Ends a subscription; null for an unknown token or one already unsubscribed. */
  async unsubscribe(unsubscribeToken: string): Promise<Subscription | null> {
    return this.changed(
      `UPDATE subscriptions SET state = 'unsubscribed' WHERE unsubscribe_token = $1 AND state <> 'unsubscribed' RETURNING *`,
      [unsubscribeToken],
    );
  }

  /** The row an UPDATE … RETURNING changed, if any (wrapped in a SELECT: TypeORM returns a bare UPDATE's rows with its count). */
  private async changed(update: string, params: unknown[]): Promise<Subscription | null> {
    const rows: SubscriptionRow[] = await this.dataSource.query(`WITH changed AS (${update}) SELECT * FROM changed`, params);
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  async markBounced(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE subscriptions SET state = 'bounced' WHERE id = $1`, [id]);
  }

  async get(id: string): Promise<Subscription | null> {
    const rows: SubscriptionRow[] = await this.dataSource.query(`SELECT * FROM subscriptions WHERE id = $1`, [id]);
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  async activeIds(cadence: Cadence): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM subscriptions WHERE cadence = $1 AND state = 'active' ORDER BY id`,
      [cadence],
    );
    return rows.map((row) => row.id);
  }

  /** Papers any earlier digest of this subscription sent (each paper goes out once). */
  async sentPapers(id: string): Promise<Set<string>> {
    const rows: { paper_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT unnest(paper_ids) AS paper_id FROM digests WHERE subscription_id = $1 AND state = 'sent'`,
      [id],
    );
    return new Set(rows.map((row) => row.paper_id));
  }

  /** When the last digest went out (papers since then are new). */
  async lastSentAt(id: string): Promise<Date | null> {
    const rows: { at: Date | null }[] = await this.dataSource.query(
      `SELECT max(sent_at) AS at FROM digests WHERE subscription_id = $1 AND state = 'sent'`,
      [id],
    );
    return rows[0]?.at ?? null;
  }

  /**
   * Claims the digest of a period before sending it. Returns false if this period's digest was
   * already sent, found empty, or started by an attempt that never finished (a crash between the
   * SMTP server accepting the message and this record saying so: sending again could duplicate it,
   * so the period is skipped — at most once).
   */
  async claim(id: string, period: string, paperIds: string[]): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO digests (subscription_id, period, state, paper_ids) VALUES ($1, $2, 'sending', $3)
       ON CONFLICT (subscription_id, period) DO UPDATE SET state = 'sending', paper_ids = excluded.paper_ids, created_at = now()
         WHERE digests.state = 'failed'
       RETURNING 1`,
      [id, period, paperIds],
    );
    return rows.length > 0;
  }

  /** Records the outcome of a claimed digest. */
  async finish(id: string, period: string, outcome: { state: 'sent'; messageId: string } | { state: 'failed' }): Promise<void> {
    await this.dataSource.query(
      `UPDATE digests SET state = $3, message_id = $4, sent_at = CASE WHEN $3 = 'sent' THEN now() END
       WHERE subscription_id = $1 AND period = $2`,
      [id, period, outcome.state, 'messageId' in outcome ? outcome.messageId : null],
    );
  }

  /** Records that a period had nothing new (unless its digest is already recorded). */
  async markEmpty(id: string, period: string): Promise<void> {
    await this.dataSource.query(`INSERT INTO digests (subscription_id, period, state) VALUES ($1, $2, 'empty') ON CONFLICT DO NOTHING`, [
      id,
      period,
    ]);
  }
}
