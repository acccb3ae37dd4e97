import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email digests: subscriptions (double opt-in, one per address and cadence and content), and a
 * log of digests with the papers each sent, unique per subscription and period: the record that
 * makes a digest go out at most once per period and never repeat a paper.
 */
export class Subscriptions1764576000000 implements MigrationInterface {
  name = 'Subscriptions1764576000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        cadence text NOT NULL CHECK (cadence IN ('daily', 'weekly')),
        user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        query text,
        categories text[] NOT NULL DEFAULT '{}',
        -- The same request again is the same subscription.
        content_key text NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'active', 'unsubscribed', 'bounced')),
        confirm_token text NOT NULL UNIQUE,
        unsubscribe_token text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        confirmed_at timestamptz,
        UNIQUE (email, cadence, content_key)
      )`);
    await q.query(`CREATE INDEX subscriptions_active ON subscriptions (cadence) WHERE state = 'active'`);
    await q.query(`
      CREATE TABLE digests (
        subscription_id uuid NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
        period text NOT NULL,
        state text NOT NULL CHECK (state IN ('sending', 'sent', 'empty', 'failed')),
        paper_ids text[] NOT NULL DEFAULT '{}',
        message_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        PRIMARY KEY (subscription_id, period)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE digests`);
    await q.query(`DROP TABLE subscriptions`);
  }
}
