// Plain constants (no path aliases: the global setup imports this outside jest's module mapping).

/** The server that the postgres tiers make their databases on (never used as a test database itself). */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** Test databases on the server Postgres are `paperfeed_test_<pid>_<random>`: the pid lets a later run drop those of dead runs. */
export const TEST_DATABASE_PREFIX = 'paperfeed_test_';
