import { DataSource } from 'typeorm';

export type UserEventType = 'view' | 'click' | 'save' | 'upvote' | 'dismiss';
export const USER_EVENT_TYPES: readonly UserEventType[] = ['view', 'click', 'save', 'upvote', 'dismiss'];

export interface UserEvent {
  paperId: string;
  type: UserEventType;
  at: Date;
}

/** What users do with papers: the feed's evidence. */
export class EventsStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Ids among these that are not stored papers. */
  async unknownPapers(ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT x.id FROM unnest($1::text[]) AS x(id) WHERE NOT EXISTS (SELECT 1 FROM papers p WHERE p.id = x.id)`,
      [[...new Set(ids)]],
    );
    return rows.map((row) => row.id);
  }

  /** Stores events in one statement (all or nothing); returns the id of the last one stored. */
  async record(userId: string, events: UserEvent[]): Promise<string> {
    const rows: { last: string }[] = await this.dataSource.query(
      `WITH stored AS (
         INSERT INTO user_events (user_id, paper_id, type, at)
         SELECT $1, x.paper_id, x.type, x.at FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS x(paper_id, type, at)
         RETURNING id)
       SELECT max(id)::text AS last FROM stored`,
      [userId, events.map((e) => e.paperId), events.map((e) => e.type), events.map((e) => e.at.toISOString())],
    );
    return rows[0].last;
  }

  /** The id of the user's last event ('0' without any). */
  async latestId(userId: string): Promise<string> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT COALESCE(max(id), 0)::text AS id FROM user_events WHERE user_id = $1`,
      [userId],
    );
    return rows[0].id;
  }

  /** A user's most recent events, and their own upvotes (as 'upvote' events). */
  async recent(userId: string, limit: number): Promise<UserEvent[]> {
    const rows: { paper_id: string; type: UserEventType; at: Date }[] = await this.dataSource.query(
      `(SELECT paper_id, type, at FROM user_events WHERE user_id = $1 ORDER BY at DESC LIMIT $2)
       UNION ALL
       (SELECT paper_id, 'upvote', created_at FROM paper_upvotes WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2)`,
      [userId, limit],
    );
    return rows.map((row) => ({ paperId: row.paper_id, type: row.type, at: row.at }));
  }
}
