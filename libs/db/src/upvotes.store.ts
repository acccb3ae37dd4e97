import { DataSource } from 'typeorm';
import { PapersStore } from './papers.store';

/**
 * One upvote per user and paper. Each change locks the paper row, so concurrent votes on one paper
 * queue up: the counter and the trending score always match the votes stored.
 */
export class UpvotesStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly papers: PapersStore,
  ) {}

  /** Adds (or, with `on` false, removes) a user's upvote. Returns the paper's upvotes, or null for an unknown paper. */
  async set(userId: string, paperId: string, on: boolean): Promise<number | null> {
    return this.dataSource.transaction(async (manager) => {
      const locked: unknown[] = await manager.query(`SELECT 1 FROM papers WHERE id = $1 FOR UPDATE`, [paperId]);
      if (locked.length === 0) return null;
      // Wrapped in SELECT: TypeORM reports a bare DELETE ... RETURNING as [rows, count].
      const change = on
        ? `INSERT INTO paper_upvotes (user_id, paper_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`
        : `DELETE FROM paper_upvotes WHERE user_id = $1 AND paper_id = $2 RETURNING 1`;
      const [{ changed }]: { changed: number }[] = await manager.query(
        `WITH change AS (${change}) SELECT count(*)::int AS changed FROM change`,
        [userId, paperId],
      );
      if (changed > 0) {
        await manager.query(`UPDATE papers SET user_upvotes = user_upvotes + $2 WHERE id = $1`, [paperId, on ? 1 : -1]);
        await this.papers.refreshTrending([paperId], manager);
      }
      const rows: { upvotes: number }[] = await manager.query(`SELECT upvotes FROM papers WHERE id = $1`, [paperId]);
      return rows[0].upvotes;
    });
  }
}
