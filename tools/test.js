#!/usr/bin/env node
/**
 * Runs jest on test tiers: `node tools/test.js [unit|integration|e2e|all …] [jest options]`
 * (default all). Tiers are jest projects (package.json): unit, and integration and e2e each on
 * the embedded database and on the server Postgres. The postgres projects run only when a
 * Postgres with pgvector answers at TEST_POSTGRES_URL; without one they are skipped with a loud
 * line, or the run fails when PAPERFEED_REQUIRE_POSTGRES=1 (as in CI). Options after the tiers
 * go to jest as they are (e.g. `--json --outputFile=…`); with a `--selectProjects` of its own,
 * jest runs exactly that.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const TIERS = {
  unit: ['unit'],
  integration: ['integration-embedded', 'integration-postgres'],
  e2e: ['e2e-embedded', 'e2e-postgres'],
};

/** Whether a Postgres that can hold paperfeed's test databases answers at `url`: { ok, reason }. */
async function probePostgres(url = TEST_POSTGRES_URL) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query(
      `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS vector,
              (SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user) AS createdb`,
    );
    if (!rows[0].vector) return { ok: false, reason: 'it has no pgvector extension' };
    if (!rows[0].createdb) return { ok: false, reason: 'its user may not create databases' };
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error.message || String(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const skippedLine = (reason) =>
  `!!! server-Postgres tier skipped: no Postgres with pgvector at ${TEST_POSTGRES_URL} (${reason}); ` +
  'run ../shared/tools/install-pgvector or set TEST_POSTGRES_URL';

async function main(argv) {
  const tiers = [];
  while (argv.length && (argv[0] in TIERS || argv[0] === 'all')) tiers.push(argv.shift());
  const wanted = (tiers.length === 0 || tiers.includes('all') ? Object.keys(TIERS) : tiers).flatMap((t) => TIERS[t]);
  const ownSelection = argv.some((a) => a === '--selectProjects' || a.startsWith('--selectProjects='));

  let projects = wanted;
  let missing;
  if (!ownSelection && wanted.some((p) => p.endsWith('-postgres'))) {
    const probe = await probePostgres();
    if (!probe.ok) {
      missing = probe.reason;
      projects = wanted.filter((p) => !p.endsWith('-postgres'));
      const required = process.env.PAPERFEED_REQUIRE_POSTGRES === '1';
      console.error(`\n${skippedLine(missing)}${required ? ' — PAPERFEED_REQUIRE_POSTGRES=1: this run fails' : ''}\n`);
    }
  }

  const jest = require.resolve('jest/bin/jest', { paths: [root] });
  // --experimental-vm-modules: transformers.js and PGlite load ES modules with import().
  // The selection goes last: jest's --selectProjects takes every word after it (paths too).
  const args = ['--experimental-vm-modules', jest, ...argv, ...(ownSelection ? [] : ['--selectProjects', ...projects])];
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  let status = result.status ?? 1;
  if (missing !== undefined) {
    // Again after jest's summary, where it is seen.
    console.error(`\n${skippedLine(missing)}`);
    if (process.env.PAPERFEED_REQUIRE_POSTGRES === '1') {
      console.error('PAPERFEED_REQUIRE_POSTGRES=1: the server-Postgres tier must run; failing');
      status = status || 1;
    }
  }
  return status;
}

module.exports = { probePostgres, TEST_POSTGRES_URL };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
