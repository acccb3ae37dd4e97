import { parseExpression } from 'cron-parser';

export type Repeat = { every: number } | { pattern: string };

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MIN_EVERY_MS = 60_000;

/** "30m", "1h", "1d" (at least a minute), or a 5- or 6-field cron pattern in UTC. */
export function parseSchedule(every: unknown): { repeat: Repeat } | { error: string } {
  if (typeof every !== 'string' || !every.trim() || every.length > 100) return { error: 'must be a duration like "1h" or a cron pattern' };
  const duration = /^(\d+)\s*([smhd])$/.exec(every.trim());
  if (duration) {
    const ms = Number(duration[1]) * UNITS[duration[2]];
    return ms >= MIN_EVERY_MS ? { repeat: { every: ms } } : { error: 'must be at least 1m' };
  }
  const fields = every.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) return { error: `"${every}" is neither a duration like "1h" nor a 5-field cron pattern` };
  try {
    parseExpression(every.trim(), { utc: true });
  } catch (error) {
    return { error: `"${every}" is not a valid cron pattern (${(error as Error).message})` };
  }
  return { repeat: { pattern: every.trim() } };
}
