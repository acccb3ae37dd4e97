import { MigrationInterface, QueryRunner } from 'typeorm';

/** What users do with papers (events), what they say they want (interests), and their feed tokens. */
export class EventsInterestsFeeds1764489600000 implements MigrationInterface {
  name = 'EventsInterestsFeeds1764489600000';

  async up(q: QueryRunner): Promise<void> {
    // The feed token only reads a feed (feed readers cannot send headers); the user sees it again
    // in GET /v1/users/:id, so it is kept as is, unlike the bearer token.
    await q.query(`ALTER TABLE users ADD COLUMN feed_token text UNIQUE`);
    await q.query(`UPDATE users SET feed_token = md5(random()::text || id::text) WHERE feed_token IS NULL`);
    await q.query(`ALTER TABLE users ALTER COLUMN feed_token SET NOT NULL`);
    await q.query(`ALTER TABLE users ADD COLUMN interests jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`
      CREATE TABLE user_events (
        id bigserial PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        paper_id text NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('view', 'click', 'save', 'upvote', 'dismiss')),
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX user_events_user_at ON user_events (user_id, at DESC)`);
    // Trending sums a paper's interactions (PapersStore.refreshTrending).
    await q.query(`CREATE INDEX user_events_paper ON user_events (paper_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE user_events`);
    await q.query(`ALTER TABLE users DROP COLUMN interests, DROP COLUMN feed_token`);
  }
}
