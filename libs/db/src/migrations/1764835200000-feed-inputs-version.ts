import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * users.feed_inputs: a number that changes whenever anything a user's feed is computed from
 * changes (their interests, events, upvotes, or the worker's fold), kept by triggers so no writer
 * can forget it. The feed reuses a ranking only while it is unchanged (FeedRanker).
 */
export class FeedInputsVersion1764835200000 implements MigrationInterface {
  name = 'FeedInputsVersion1764835200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE feed_inputs_seq`);
    await q.query(`ALTER TABLE users ADD COLUMN feed_inputs bigint NOT NULL DEFAULT nextval('feed_inputs_seq')`);
    await q.query(`
      CREATE FUNCTION paperfeed_user_interests_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.feed_inputs := nextval('feed_inputs_seq');
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER users_interests_changed BEFORE UPDATE OF interests ON users
      FOR EACH ROW EXECUTE FUNCTION paperfeed_user_interests_changed()`);
    await q.query(`
      CREATE FUNCTION paperfeed_user_inputs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE users SET feed_inputs = nextval('feed_inputs_seq')
        WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END);
        RETURN NULL;
      END $$`);
    for (const table of ['paper_upvotes', 'user_profiles']) {
      await q.query(`
        CREATE TRIGGER ${table}_feed_inputs AFTER INSERT OR UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION paperfeed_user_inputs_changed()`);
    }
    // Events arrive in batches of up to 500: one update per batch, not per event.
    await q.query(`
      CREATE FUNCTION paperfeed_user_events_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE users SET feed_inputs = nextval('feed_inputs_seq') WHERE id IN (SELECT user_id FROM added);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER user_events_feed_inputs AFTER INSERT ON user_events
      REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION paperfeed_user_events_added()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['user_events', 'paper_upvotes', 'user_profiles']) await q.query(`DROP TRIGGER ${table}_feed_inputs ON ${table}`);
    await q.query(`DROP FUNCTION paperfeed_user_events_added()`);
    await q.query(`DROP FUNCTION paperfeed_user_inputs_changed()`);
    await q.query(`DROP TRIGGER users_interests_changed ON users`);
    await q.query(`DROP FUNCTION paperfeed_user_interests_changed()`);
    await q.query(`ALTER TABLE users DROP COLUMN feed_inputs`);
    await q.query(`DROP SEQUENCE feed_inputs_seq`);
  }
}
