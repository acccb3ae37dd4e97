/**
 * Runs the embedded database (PGlite with pgvector behind a Postgres wire server) as its own
 * process, so its WASM engine never blocks the api's or a worker's event loop.
 * Usage: EMBEDDED_PG_PASSWORD=… [EMBEDDED_PG_PORT=…] [EMBEDDED_PG_IDLE_TIMEOUT_MS=…] node main.js <data dir>.
 * Prints one JSON line {"url": …} (with the password) once it accepts connections.
 */
import { startEmbeddedPostgres } from './pglite-server';

/** How long PGlite may take to close (flushing its data files) before the process exits anyway. */
const CLOSE_TIMEOUT_MS = 3000;

class UsageError extends Error {}

function wholeNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

async function main(): Promise<void> {
  const password = process.env.EMBEDDED_PG_PASSWORD;
  if (!password) throw new UsageError('EMBEDDED_PG_PASSWORD is required (the password clients must give)');
  const server = await startEmbeddedPostgres({
    dataDir: process.argv[2],
    password,
    port: wholeNumber('EMBEDDED_PG_PORT', 0),
    idleTimeoutMs: wholeNumber('EMBEDDED_PG_IDLE_TIMEOUT_MS', 5000),
    // Exiting lets the supervisor restart the database, which recovers from its data files.
    onSessionLost: (error) => {
      process.stderr.write(`embedded database: ${error.message}; exiting\n`);
      process.exit(1);
    },
  });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      process.stderr.write(`embedded database: PGlite did not close within ${CLOSE_TIMEOUT_MS} ms after ${reason}; exiting anyway\n`);
      process.exit(1);
    }, CLOSE_TIMEOUT_MS).unref();
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`embedded database: closing failed after ${reason}: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // The launcher owns this process: when it goes away, so do we.
  process.on('disconnect', () => stop('the parent process went away'));
}

main().catch((error: unknown) => {
  const reason = error instanceof UsageError ? error.message : `failed to start: ${(error as Error).message}`;
  process.stderr.write(`embedded database: ${reason}\n`);
  process.exit(error instanceof UsageError ? 78 : 1);
});
