/**
 * Preloaded (`node -r`) into the api and worker that `npm start` forks: when the launcher goes
 * away without stopping them (it was killed with SIGKILL, or crashed), the IPC channel closes and
 * the child stops itself as on SIGTERM (draining), instead of living on as an orphan that holds
 * the api's port or consumes jobs against a database that is gone.
 */
if (process.send) {
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // Listening for 'disconnect' refs the channel; it must not keep a finished process alive.
  (process.channel as { unref?: () => void } | undefined)?.unref?.();
}

export {};
