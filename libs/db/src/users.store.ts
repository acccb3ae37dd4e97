import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LATEST_PAPER_CHANGE } from './papers.store';
import { UserEntity } from './entities';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const newToken = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;
const newSalt = () => randomBytes(16).toString('base64url');

/** What a user says they want: the cold-start profile and standing preferences. */
export interface UserInterests {
  categories: string[];
  keywords: string[];
  authors: string[];
  papers: string[];
  mutedKeywords: string[];
}

export const NO_INTERESTS: UserInterests = { categories: [], keywords: [], authors: [], papers: [], mutedKeywords: [] };

export interface UserView {
  id: string;
  name: string | null;
  /** What the user's feed token is derived from (the api's FeedTokens); the token itself is never stored. */
  feedTokenSalt: string;
  interests: UserInterests;
  counts: { events: number; saved: number; dismissed: number };
}

/** Users and their tokens: the bearer token (256 random bits) is kept only as a hash. */
export class UsersStore {
  constructor(private readonly dataSource: DataSource) {}

  async create(name: string | null): Promise<{ id: string; token: string }> {
    const id = randomUUID();
    const token = newToken('pf_');
    await this.dataSource
      .getRepository(UserEntity)
      .insert({ id, name, tokenHash: hashToken(token), feedTokenSalt: newSalt(), interests: NO_INTERESTS as never });
    return { id, token };
  }

  /** The user a token belongs to; the lookup is by hash, so no token is ever compared as text. */
  async findByToken(token: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOne({ where: { tokenHash: hashToken(token) } });
  }

  /** A user's name and feed-token salt, or null for an unknown user. */
  async feedIdentity(id: string): Promise<{ name: string | null; feedTokenSalt: string } | null> {
    const rows: { name: string | null; feed_token_salt: string }[] = await this.dataSource.query(
      `SELECT name, feed_token_salt FROM users WHERE id = $1`,
      [id],
    );
    return rows[0] ? { name: rows[0].name, feedTokenSalt: rows[0].feed_token_salt } : null;
  }

  async view(id: string): Promise<UserView | null> {
    const rows: {
      id: string;
      name: string | null;
      feed_token_salt: string;
      interests: Partial<UserInterests>;
      events: number;
      saved: number;
      dismissed: number;
    }[] = await this.dataSource.query(
      `SELECT u.id, u.name, u.feed_token_salt, u.interests,
                (SELECT count(*)::int FROM user_events e WHERE e.user_id = u.id) AS events,
                (SELECT count(DISTINCT paper_id)::int FROM user_events e WHERE e.user_id = u.id AND e.type = 'save') AS saved,
                (SELECT count(DISTINCT paper_id)::int FROM user_events e WHERE e.user_id = u.id AND e.type = 'dismiss') AS dismissed
         FROM users u WHERE u.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      name: row.name,
      feedTokenSalt: row.feed_token_salt,
      interests: { ...NO_INTERESTS, ...row.interests },
      counts: { events: row.events, saved: row.saved, dismissed: row.dismissed },
    };
  }

  /** The user's stated interests, or null for an unknown user (cheaper than view: no counts). */
  async interests(id: string): Promise<UserInterests | null> {
    const rows: { interests: Partial<UserInterests> }[] = await this.dataSource.query(`SELECT interests FROM users WHERE id = $1`, [id]);
    return rows[0] ? { ...NO_INTERESTS, ...rows[0].interests } : null;
  }

  /**
   * What a user's feed is computed from, as two numbers that change with it: the user's inputs
   * (interests, events, upvotes, the worker's fold; kept by triggers) and the corpus (the latest
   * paper change). Null for an unknown user.
   */
  async feedVersion(id: string): Promise<{ inputs: string; corpus: bigint } | null> {
    const rows: { inputs: string; corpus: string }[] = await this.dataSource.query(
      `SELECT u.feed_inputs::text AS inputs,
              ${LATEST_PAPER_CHANGE}::text AS corpus
       FROM users u WHERE u.id = $1`,
      [id],
    );
    return rows[0] ? { inputs: rows[0].inputs, corpus: BigInt(rows[0].corpus) } : null;
  }

  async setInterests(id: string, interests: UserInterests): Promise<void> {
    await this.dataSource.query(`UPDATE users SET interests = $2 WHERE id = $1`, [id, JSON.stringify(interests)]);
  }

  /** A new salt, so the previous feed token stops working; returns it. */
  async rotateFeedTokenSalt(id: string): Promise<string> {
    const salt = newSalt();
    await this.dataSource.query(`UPDATE users SET feed_token_salt = $2 WHERE id = $1`, [id, salt]);
    return salt;
  }
}
