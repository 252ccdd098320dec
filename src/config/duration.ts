/**
 * Two kinds of duration appear in the config, and they read differently on purpose:
 *
 * - A retention duration (`keep.within`, `safety.minAge`) speaks the calendar: `y` years,
 *   `m` months, `w` weeks, `d` days, `h` hours, combined as `1y6m` or `36h`. Years and months
 *   step on the calendar in the configured time zone; weeks, days and hours are elapsed time.
 * - An interval (`rate.per`, `backoff.initial`, `ecs.timeout`) is elapsed time only: `ms`, `s`,
 *   `m` minutes, `h`, `d`, as `2s`, `10m` or `1m30s`.
 */

export interface RetentionDuration {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  /** The canonical text, such as `1y6m` or `30d`, used in reasons. */
  readonly text: string;
}

const RETENTION_UNITS = ['y', 'm', 'w', 'd', 'h'] as const;
type RetentionUnit = (typeof RETENTION_UNITS)[number];

const RETENTION_PATTERN = /^(?:\d+[ymwdh])+$/;
const INTERVAL_PATTERN = /^(?:\d+(?:ms|s|m|h|d))+$/;

const INTERVAL_UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses `1y6m`, `14d`, `36h`; returns null when the text is not such a duration. */
export function parseRetentionDuration(text: string): RetentionDuration | null {
  const trimmed = text.trim();
  if (!RETENTION_PATTERN.test(trimmed)) return null;

  const parts: Record<RetentionUnit, number> = { y: 0, m: 0, w: 0, d: 0, h: 0 };
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([ymwdh])/g)) {
    parts[unit as RetentionUnit] += Number(amount);
  }

  return {
    years: parts.y,
    months: parts.m,
    weeks: parts.w,
    days: parts.d,
    hours: parts.h,
    text: formatRetentionDuration(parts),
  };
}

function formatRetentionDuration(parts: Readonly<Record<RetentionUnit, number>>): string {
  const text = RETENTION_UNITS.filter((unit) => parts[unit] > 0)
    .map((unit) => `${parts[unit]}${unit}`)
    .join('');
  return text === '' ? '0h' : text;
}

/** Parses `2s`, `10m`, `1m30s`, `250ms` into milliseconds; null when it is not an interval. */
export function parseIntervalMs(text: string): number | null {
  const trimmed = text.trim();
  if (!INTERVAL_PATTERN.test(trimmed)) return null;

  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)(ms|s|m|h|d)/g)) {
    total += Number(amount) * (INTERVAL_UNIT_MS[unit ?? ''] ?? 0);
  }
  return total;
}

/** Elapsed-time part of a retention duration (weeks, days, hours) in milliseconds. */
export function fixedPartMs(duration: RetentionDuration): number {
  return ((duration.weeks * 7 + duration.days) * 24 + duration.hours) * 3_600_000;
}
