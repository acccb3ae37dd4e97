import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each user's learned feed model (libs/ranking/src/learned.ts), trained by the worker from their
 * events, in one embedding space, and how far into their events it has read.
 */
export class UserModels1764662400000 implements MigrationInterface {
  name = 'UserModels1764662400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_models (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        space_id int NOT NULL REFERENCES embedding_spaces (id) ON DELETE CASCADE,
        through_event_id bigint NOT NULL,
        model jsonb NOT NULL,
        positives int NOT NULL,
        negatives int NOT NULL,
        trained_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE user_models`);
  }
}
