import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A change sequence over papers and their vectors, so a process that keeps papers in memory (the
 * feed's corpus index) can ask "anything new since n?" with one index lookup and read just that.
 * Inserts take the next number by default; an update takes a new one (writers skip no-op updates).
 */
export class PaperChanges1764748800000 implements MigrationInterface {
  name = 'PaperChanges1764748800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE paper_change_seq`);
    for (const table of ['papers', 'paper_embeddings']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('paper_change_seq')`);
      await q.query(`CREATE INDEX ${table}_change_seq ON ${table} (change_seq)`);
    }
    await q.query(`
      CREATE FUNCTION paperfeed_paper_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.change_seq := nextval('paper_change_seq');
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER papers_changed BEFORE UPDATE ON papers
      FOR EACH ROW EXECUTE FUNCTION paperfeed_paper_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER papers_changed ON papers`);
    await q.query(`DROP FUNCTION paperfeed_paper_changed()`);
    for (const table of ['papers', 'paper_embeddings']) await q.query(`ALTER TABLE ${table} DROP COLUMN change_seq`);
    await q.query(`DROP SEQUENCE paper_change_seq`);
  }
}
