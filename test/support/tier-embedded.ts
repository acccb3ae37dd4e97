// jest setupFiles of the integration-embedded and e2e-embedded projects: startTestDatabase() gives
// a fresh in-memory PGlite with pgvector behind the wire server.
process.env.PAPERFEED_TEST_DB = 'embedded';
export {};
