/**
 * Runs the embedded database (PGlite with pgvector behind a Postgres wire server) as its own
 * process, so its WASM engine never blocks the api's or a worker's event loop.
 * Usage: node main.js <data dir>. Prints one JSON line {"url": …} once it accepts connections.
 */
import { startEmbeddedPostgres } from './pglite-server';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  const server = await startEmbeddedPostgres({ dataDir, port: Number(process.env.EMBEDDED_PG_PORT ?? 0) });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  // The launcher owns this process: when it goes away, so do we.
  process.on('disconnect', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`embedded database failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
