import { DataSource } from 'typeorm';
import type { LinearModel } from '@paperfeed/ranking';

export interface StoredUserModel {
  model: LinearModel;
  throughEventId: string;
  positives: number;
  negatives: number;
  trainedAt: Date;
}

/** The worker's learned per-user feed models. */
export class UserModelsStore {
  constructor(private readonly dataSource: DataSource) {}

  async find(userId: string, spaceId: number): Promise<StoredUserModel | null> {
    const rows: { model: LinearModel; through_event_id: string; positives: number; negatives: number; trained_at: Date }[] = await this.dataSource.query(
      `SELECT model, through_event_id, positives, negatives, trained_at FROM user_models WHERE user_id = $1 AND space_id = $2`,
      [userId, spaceId],
    );
    const row = rows[0];
    return row ? { model: row.model, throughEventId: row.through_event_id, positives: row.positives, negatives: row.negatives, trainedAt: row.trained_at } : null;
  }

  /**
   * Stores a model unless one that has read further is already there: a retried or late job never
   * replaces a newer model. A null model (too little evidence) removes the stored one.
   */
  async save(userId: string, spaceId: number, throughEventId: string, trained: { model: LinearModel; positives: number; negatives: number } | null): Promise<void> {
    if (!trained) {
      await this.dataSource.query(`DELETE FROM user_models WHERE user_id = $1 AND through_event_id <= $2`, [userId, throughEventId]);
      return;
    }
    await this.dataSource.query(
      `INSERT INTO user_models (user_id, space_id, through_event_id, model, positives, negatives) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id) DO UPDATE SET space_id = EXCLUDED.space_id, through_event_id = EXCLUDED.through_event_id, model = EXCLUDED.model,
         positives = EXCLUDED.positives, negatives = EXCLUDED.negatives, trained_at = now()
       WHERE user_models.through_event_id <= EXCLUDED.through_event_id OR user_models.space_id <> EXCLUDED.space_id`,
      [userId, spaceId, throughEventId, JSON.stringify(trained.model), trained.positives, trained.negatives],
    );
  }
}
