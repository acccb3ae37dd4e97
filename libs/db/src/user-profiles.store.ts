import { DataSource } from 'typeorm';
import type { LinearModel } from '@paperfeed/ranking';

export interface StoredProfile {
  /** Null while the user has too little evidence for one. */
  model: LinearModel | null;
  /** The papers the full ranking put first when folded, best first. */
  shortlist: string[];
  /** The last of the user's events folded in. */
  throughEventId: string;
  /** The corpus change (PapersStore.latestChange) the shortlist had seen. */
  corpusThrough: bigint;
  positives: number;
  negatives: number;
}

/** What the worker folds from users' events (ProfileProcessor). */
export class UserProfilesStore {
  constructor(private readonly dataSource: DataSource) {}

  async find(userId: string, spaceId: number): Promise<StoredProfile | null> {
    const rows: {
      model: LinearModel | null;
      shortlist: string[];
      through_event_id: string;
      corpus_through: string;
      positives: number;
      negatives: number;
    }[] = await this.dataSource.query(
      `SELECT model, shortlist, through_event_id, corpus_through, positives, negatives FROM user_profiles WHERE user_id = $1 AND space_id = $2`,
      [userId, spaceId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      model: row.model,
      shortlist: row.shortlist,
      throughEventId: row.through_event_id,
      corpusThrough: BigInt(row.corpus_through),
      positives: row.positives,
      negatives: row.negatives,
    };
  }

  /** Stores a fold unless one that has read further into the user's events is already there (a retried or late job). */
  async save(userId: string, spaceId: number, profile: StoredProfile): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO user_profiles (user_id, space_id, through_event_id, model, positives, negatives, shortlist, corpus_through)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (user_id) DO UPDATE SET space_id = EXCLUDED.space_id, through_event_id = EXCLUDED.through_event_id,
         model = EXCLUDED.model, positives = EXCLUDED.positives, negatives = EXCLUDED.negatives,
         shortlist = EXCLUDED.shortlist, corpus_through = EXCLUDED.corpus_through, folded_at = now()
       WHERE user_profiles.through_event_id <= EXCLUDED.through_event_id OR user_profiles.space_id <> EXCLUDED.space_id`,
      [
        userId,
        spaceId,
        profile.throughEventId,
        profile.model && JSON.stringify(profile.model),
        profile.positives,
        profile.negatives,
        profile.shortlist,
        profile.corpusThrough.toString(),
      ],
    );
  }
}
