import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The lexical representation of every paper beside its vector (issue 13: `similar` fuses a sparse
 * cosine with the dense one). `paper_terms` holds a paper's term counts (title + abstract, the
 * tokenizer of libs/ranking lexical.ts; ids ascending) and the text hash they were computed from,
 * so a changed text is recognised; weights are not stored: they are computed from the counts and
 * the current `lexicon.df` when scored. The GIN index finds the papers sharing a query's terms
 * (`term_ids && $1`). Rows are written by PapersStore.indexTerms, which also moves df; the
 * trigger takes a deleted paper's terms out of df. Papers stored before this migration get their
 * rows from the embed reconcile job.
 */
export class PaperTerms1765094400000 implements MigrationInterface {
  name = 'PaperTerms1765094400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE lexicon (id serial PRIMARY KEY, term text NOT NULL UNIQUE, df int NOT NULL DEFAULT 0)`);
    await q.query(`
      CREATE TABLE paper_terms (
        paper_id text PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
        term_ids int[] NOT NULL,
        counts real[] NOT NULL,
        text_hash text NOT NULL
      )`);
    await q.query(`CREATE INDEX paper_terms_term_ids ON paper_terms USING gin (term_ids)`);
    await q.query(`
      CREATE FUNCTION paperfeed_paper_terms_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE lexicon l SET df = l.df - d.n
        FROM (SELECT t AS id, count(*) AS n FROM gone, unnest(gone.term_ids) AS t GROUP BY t) d
        WHERE l.id = d.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER paper_terms_deleted AFTER DELETE ON paper_terms
      REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION paperfeed_paper_terms_deleted()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE paper_terms`);
    await q.query(`DROP FUNCTION paperfeed_paper_terms_deleted()`);
    await q.query(`DROP TABLE lexicon`);
  }
}
