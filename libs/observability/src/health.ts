/** 'up', or 'down: <why>' when the probe fails or takes longer than `timeoutMs`. */
export async function probe(check: () => Promise<unknown>, timeoutMs = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return 'up';
  } catch (error) {
    return `down: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

/** A readiness answer: ready when every check is up. */
export function readiness(checks: Record<string, string>): { ready: boolean; body: { status: string; checks: Record<string, string> } } {
  const ready = Object.values(checks).every((state) => state === 'up');
  return { ready, body: { status: ready ? 'ok' : 'unavailable', checks } };
}
