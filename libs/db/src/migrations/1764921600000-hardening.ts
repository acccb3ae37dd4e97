import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hardening: feed tokens are no longer stored (each is an HMAC of the user id and a per-user
 * salt under a server key, so the database alone yields no token; existing feed URLs change);
 * confirmation links expire, and every confirmation mail is logged per address so that an
 * address gets at most one per 10 minutes and five a day; a paper's text version counts its text
 * changes, so an embed job for text A queued again after A → B → A is a new job; a harvest
 * records the total its source announces (progress for operators).
 */
export class Hardening1764921600000 implements MigrationInterface {
  name = 'Hardening1764921600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN feed_token`);
    await q.query(`ALTER TABLE users ADD COLUMN feed_token_salt text NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text)`);
    await q.query(`ALTER TABLE subscriptions ADD COLUMN confirm_expires_at timestamptz NOT NULL DEFAULT now() + interval '7 days'`);
    await q.query(`
      CREATE TABLE confirmation_mails (
        id bigserial PRIMARY KEY,
        email text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX confirmation_mails_email_sent ON confirmation_mails (email, sent_at DESC)`);
    await q.query(`ALTER TABLE papers ADD COLUMN text_version int NOT NULL DEFAULT 1`);
    // How many records the source says the whole harvest holds (arXiv's totalResults, OAI's completeListSize).
    await q.query(`ALTER TABLE harvests ADD COLUMN expected int`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE harvests DROP COLUMN expected`);
    await q.query(`ALTER TABLE papers DROP COLUMN text_version`);
    await q.query(`DROP TABLE confirmation_mails`);
    await q.query(`ALTER TABLE subscriptions DROP COLUMN confirm_expires_at`);
    await q.query(`ALTER TABLE users DROP COLUMN feed_token_salt`);
    await q.query(`ALTER TABLE users ADD COLUMN feed_token text UNIQUE`);
    await q.query(`UPDATE users SET feed_token = md5(random()::text || id::text)`);
    await q.query(`ALTER TABLE users ALTER COLUMN feed_token SET NOT NULL`);
  }
}
