// jest setupFiles of the unit project: pure logic, so no database and no Redis. A unit test that
// opens either fails here as it would on a machine without them (rename it to *.int.spec.ts).
process.env.PAPERFEED_TEST_DB = 'none';
process.env.REDIS_URL = 'redis://127.0.0.1:1';
delete process.env.DATABASE_URL;
export {};
