import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Source harvests (one row per ingestion from arXiv, OAI-PMH, Hugging Face or a feed: its cursor
 * and counts, so a killed worker resumes from the last page it finished), HTTP validators for
 * conditional requests, and what sources say about papers beyond the contract's fields.
 */
export class Harvests1764403200000 implements MigrationInterface {
  name = 'Harvests1764403200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE papers
        ADD COLUMN source_updated_at timestamptz,
        ADD COLUMN github_repo text,
        ADD COLUMN submitted_by text,
        ADD COLUMN daily_date date`);
    await q.query(`CREATE INDEX papers_daily_date ON papers (daily_date) WHERE daily_date IS NOT NULL`);
    await q.query(`
      CREATE TABLE harvests (
        id uuid PRIMARY KEY,
        source text NOT NULL,
        request jsonb NOT NULL,
        cursor jsonb NOT NULL DEFAULT '{}',
        pages int NOT NULL DEFAULT 0,
        counts jsonb NOT NULL DEFAULT '{"received":0,"created":0,"updated":0,"unchanged":0,"rejected":0}',
        rejections jsonb NOT NULL DEFAULT '[]',
        state text NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'active', 'completed', 'failed')),
        failed_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE source_validators (
        url text PRIMARY KEY,
        etag text,
        last_modified text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE source_validators`);
    await q.query(`DROP TABLE harvests`);
    await q.query(
      `ALTER TABLE papers DROP COLUMN daily_date, DROP COLUMN submitted_by, DROP COLUMN github_repo, DROP COLUMN source_updated_at`,
    );
  }
}
