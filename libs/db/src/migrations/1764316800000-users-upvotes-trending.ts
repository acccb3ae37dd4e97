import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users (tokens stored as sha256), one upvote per user and paper, and the indexed trending score.
 * papers.upvotes becomes the sum of the source's count (e.g. Hugging Face) and our users' votes.
 */
export class UsersUpvotesTrending1764316800000 implements MigrationInterface {
  name = 'UsersUpvotesTrending1764316800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        name text,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE papers RENAME COLUMN upvotes TO source_upvotes`);
    await q.query(`ALTER TABLE papers ADD COLUMN user_upvotes int NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE papers ADD COLUMN upvotes int GENERATED ALWAYS AS (source_upvotes + user_upvotes) STORED`);
    // See libs/ranking/src/trending.ts; filled in by the application on every change.
    await q.query(`ALTER TABLE papers ADD COLUMN trending_score double precision NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX papers_trending ON papers (trending_score DESC, id DESC)`);
    await q.query(`CREATE INDEX papers_upvotes ON papers (upvotes DESC, id DESC)`);
    await q.query(`
      CREATE TABLE paper_upvotes (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        paper_id text NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, paper_id)
      )`);
    await q.query(`CREATE INDEX paper_upvotes_paper ON paper_upvotes (paper_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE paper_upvotes`);
    await q.query(`ALTER TABLE papers DROP COLUMN upvotes, DROP COLUMN trending_score, DROP COLUMN user_upvotes`);
    await q.query(`ALTER TABLE papers RENAME COLUMN source_upvotes TO upvotes`);
    await q.query(`DROP TABLE users`);
  }
}
