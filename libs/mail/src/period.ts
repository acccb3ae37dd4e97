import { Cadence } from '@paperfeed/db';

/** The period a moment falls in: a UTC day ("2025-03-14") or an ISO week ("2025-W11"). */
export function digestPeriod(cadence: Cadence, at: Date): string {
  if (cadence === 'daily') return at.toISOString().slice(0, 10);
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this ISO week decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
