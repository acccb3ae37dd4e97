import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the worker folds from each user's events, in one embedding space: the learned feed model
 * (libs/ranking/src/learned.ts; null with too little evidence), the shortlist of papers the full
 * ranking put first, and how far into the user's events and the corpus's changes it had read.
 */
export class UserProfiles1764662400000 implements MigrationInterface {
  name = 'UserProfiles1764662400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_profiles (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        space_id int NOT NULL REFERENCES embedding_spaces (id) ON DELETE CASCADE,
        through_event_id bigint NOT NULL,
        model jsonb,
        positives int NOT NULL,
        negatives int NOT NULL,
        shortlist text[] NOT NULL,
        corpus_through bigint NOT NULL,
        folded_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE user_profiles`);
  }
}
