import { MigrationInterface, QueryRunner } from 'typeorm';

/** Papers, their embeddings per model space (pgvector, HNSW per space), full text, staged batches. */
export class InitialSchema1764230400000 implements MigrationInterface {
  name = 'InitialSchema1764230400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS vector`);
    // array_to_string is only STABLE; generated columns need an IMMUTABLE expression.
    await q.query(`
      CREATE FUNCTION paperfeed_join_words(words text[]) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string(words, ' ') $$`);
    await q.query(`
      CREATE TABLE papers (
        id text PRIMARY KEY,
        version int,
        title text NOT NULL,
        abstract text NOT NULL,
        authors text[] NOT NULL,
        categories text[] NOT NULL DEFAULT '{}',
        published_at timestamptz NOT NULL,
        url text,
        upvotes int NOT NULL DEFAULT 0,
        text_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search_vector tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', title), 'A') ||
          setweight(to_tsvector('english', abstract), 'B') ||
          setweight(to_tsvector('english', paperfeed_join_words(authors)), 'C')
        ) STORED
      )`);
    await q.query(`CREATE INDEX papers_published_at_id ON papers (published_at DESC, id DESC)`);
    await q.query(`CREATE INDEX papers_categories ON papers USING gin (categories)`);
    await q.query(`CREATE INDEX papers_search_vector ON papers USING gin (search_vector)`);

    await q.query(`
      CREATE TABLE embedding_spaces (
        id serial PRIMARY KEY,
        model text NOT NULL UNIQUE,
        dimensions int NOT NULL CHECK (dimensions BETWEEN 1 AND 2000),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The column has no fixed dimension so a new model needs no migration; each space gets a
    // partial HNSW index on the cast to its own dimension.
    await q.query(`
      CREATE TABLE paper_embeddings (
        paper_id text NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        space_id int NOT NULL REFERENCES embedding_spaces (id) ON DELETE CASCADE,
        text_hash text NOT NULL,
        embedding vector NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (paper_id, space_id)
      )`);
    await q.query(`
      CREATE FUNCTION paperfeed_ensure_embedding_space(model_key text, dims int) RETURNS int
      LANGUAGE plpgsql AS $$
      DECLARE
        space embedding_spaces%ROWTYPE;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('paperfeed_ensure_embedding_space'));
        SELECT * INTO space FROM embedding_spaces WHERE model = model_key;
        IF NOT FOUND THEN
          INSERT INTO embedding_spaces (model, dimensions) VALUES (model_key, dims) RETURNING * INTO space;
        ELSIF space.dimensions <> dims THEN
          RAISE EXCEPTION 'embedding space % has % dimensions, not %', model_key, space.dimensions, dims;
        END IF;
        EXECUTE format(
          'CREATE INDEX IF NOT EXISTS %I ON paper_embeddings USING hnsw ((embedding::vector(%s)) vector_cosine_ops) WHERE space_id = %s',
          'paper_embeddings_hnsw_space_' || space.id, space.dimensions, space.id);
        RETURN space.id;
      END $$`);

    await q.query(`
      CREATE TABLE ingest_batches (
        id uuid PRIMARY KEY,
        papers jsonb NOT NULL,
        paper_ids text[],
        result jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ingest_batches`);
    await q.query(`DROP FUNCTION paperfeed_ensure_embedding_space(text, int)`);
    await q.query(`DROP TABLE paper_embeddings`);
    await q.query(`DROP TABLE embedding_spaces`);
    await q.query(`DROP TABLE papers`);
    await q.query(`DROP FUNCTION paperfeed_join_words(text[])`);
  }
}
