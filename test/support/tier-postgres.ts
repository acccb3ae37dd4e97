// jest setupFiles of the integration-postgres and e2e-postgres projects: startTestDatabase() makes
// a fresh database on the server Postgres at TEST_POSTGRES_URL and drops it when stopped.
process.env.PAPERFEED_TEST_DB = 'postgres';
export {};
