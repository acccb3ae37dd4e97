import { MigrationInterface, QueryRunner } from 'typeorm';
import { titleKey } from '@paperfeed/sources';

/** Papers per UPDATE while filling in the title keys of papers already stored. */
const BACKFILL_BATCH = 2000;

/**
 * A paper's DOI and title key, the two ways besides its id that a record is recognised as a paper
 * already stored (libs/ingest): `doi` lower-case without resolver prefix, `title_key` the title
 * lower-cased, letters and digits only (titleKey in libs/sources, which also fills in the keys of
 * the papers stored so far). Hash indexes: both are looked up by equality only, and a title key
 * can be longer than a B-tree entry may be.
 */
export class PaperDoiTitleKey1765008000000 implements MigrationInterface {
  name = 'PaperDoiTitleKey1765008000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE papers ADD COLUMN doi text, ADD COLUMN title_key text`);
    // The keys are not part of what the change feed reports: filling them in is no change.
    await q.query(`ALTER TABLE papers DISABLE TRIGGER papers_changed`);
    for (let after = ''; ;) {
      const rows: { id: string; title: string }[] = await q.query(
        `SELECT id, title FROM papers WHERE id > $1 ORDER BY id LIMIT ${BACKFILL_BATCH}`,
        [after],
      );
      if (rows.length === 0) break;
      await q.query(`UPDATE papers p SET title_key = x.key FROM unnest($1::text[], $2::text[]) AS x(id, key) WHERE p.id = x.id`, [
        rows.map((row) => row.id),
        rows.map((row) => titleKey(row.title)),
      ]);
      after = rows[rows.length - 1].id;
    }
    await q.query(`ALTER TABLE papers ENABLE TRIGGER papers_changed`);
    await q.query(`CREATE INDEX papers_doi ON papers USING hash (doi) WHERE doi IS NOT NULL`);
    await q.query(`CREATE INDEX papers_title_key ON papers USING hash (title_key) WHERE title_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX papers_title_key`);
    await q.query(`DROP INDEX papers_doi`);
    await q.query(`ALTER TABLE papers DROP COLUMN title_key, DROP COLUMN doi`);
  }
}
