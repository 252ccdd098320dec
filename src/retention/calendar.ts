import { fixedPartMs, type RetentionDuration } from '../config/duration';

/**
 * Calendar and time-zone maths for retention. Instants are milliseconds since the Unix epoch;
 * a "local" value is the wall clock of a zone written as if it were UTC (instant + offset), so
 * that days, hours and weeks of the wall clock are plain integer divisions.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export type BucketUnit = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

export interface CivilDate {
  readonly year: number;
  /** 1 to 12. */
  readonly month: number;
  readonly day: number;
}

export interface WallClock extends CivilDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

export interface IsoWeek {
  readonly weekYear: number;
  readonly week: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return MONTH_DAYS[month - 1] ?? Number.NaN;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100);
  return era * 146_097 + dayOfEra + dayOfYear - 719_468;
}

/** The inverse of daysFromCivil. */
export function civilFromDays(days: number): CivilDate {
  const monthIndex = monthIndexOfDays(days);
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  return { year, month, day: days - daysFromCivil(year, month, 1) + 1 };
}

/** `year × 12 + month − 1` of a day; allocation-free because bucketing calls it per snapshot. */
export function monthIndexOfDays(days: number): number {
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return year * 12 + month - 1;
}

/** Monday = 0 … Sunday = 6; 1970-01-01 was a Thursday. */
function weekdayOfDays(days: number): number {
  return mod(days + 3, 7);
}

/** ISO 8601 week of a day: weeks start on Monday and belong to the year of their Thursday. */
export function isoWeekOfDays(days: number): IsoWeek {
  const thursday = days - weekdayOfDays(days) + 3;
  const weekYear = civilFromDays(thursday).year;
  const week = Math.floor((thursday - daysFromCivil(weekYear, 1, 1)) / 7) + 1;
  return { weekYear, week };
}

export function isoWeek(date: CivilDate): IsoWeek {
  return isoWeekOfDays(daysFromCivil(date.year, date.month, date.day));
}

/** Wall-clock fields of a local value (see the module comment). */
export function wallClockOfLocal(localMs: number): WallClock {
  const days = Math.floor(localMs / DAY_MS);
  const timeOfDay = localMs - days * DAY_MS;
  return {
    ...civilFromDays(days),
    hour: Math.floor(timeOfDay / HOUR_MS),
    minute: Math.floor(timeOfDay / 60_000) % 60,
    second: Math.floor(timeOfDay / 1000) % 60,
    millisecond: timeOfDay % 1000,
  };
}

/**
 * A number naming the wall-clock bucket of a local value; equal numbers mean the same bucket.
 * Weeks are numbered from the Monday before the epoch, so a week that spans New Year is one
 * bucket, labelled with its ISO week-year.
 */
export function bucketKey(unit: BucketUnit, localMs: number): number {
  const days = Math.floor(localMs / DAY_MS);
  switch (unit) {
    case 'hourly':
      return Math.floor(localMs / HOUR_MS);
    case 'daily':
      return days;
    case 'weekly':
      return Math.floor((days + 3) / 7);
    case 'monthly':
      return monthIndexOfDays(days);
    case 'yearly':
      return Math.floor(monthIndexOfDays(days) / 12);
  }
}

/** The bucket as read by people: `2026-11-30T14`, `2026-11-30`, `2026-W49`, `2026-11`, `2026`. */
export function bucketLabel(unit: BucketUnit, localMs: number): string {
  const days = Math.floor(localMs / DAY_MS);
  const clock = civilFromDays(days);
  const date = `${pad(clock.year, 4)}-${pad(clock.month)}-${pad(clock.day)}`;
  switch (unit) {
    case 'hourly':
      return `${date}T${pad(Math.floor((localMs - days * DAY_MS) / HOUR_MS))}`;
    case 'daily':
      return date;
    case 'weekly': {
      const week = isoWeekOfDays(days);
      return `${pad(week.weekYear, 4)}-W${pad(week.week)}`;
    }
    case 'monthly':
      return `${pad(clock.year, 4)}-${pad(clock.month)}`;
    case 'yearly':
      return pad(clock.year, 4);
  }
}

const UTC_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z$/;

/**
 * Reads `CreationTime` strictly: ISO 8601 in UTC with `Z`, seconds and fractions optional, and a
 * real calendar date. Returns null for anything else (an offset, no `Z`, `2026-02-29`, month 13)
 * rather than guessing, because a guessed date could delete the wrong snapshot.
 */
export function parseUtcTimestamp(text: string): number | null {
  const match = UTC_TIMESTAMP.exec(text);
  if (match === null) return null;

  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6] ?? '0');
  const millisecond = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;

  const timeOfDay = ((hour * 60 + minute) * 60 + second) * 1000 + millisecond;
  return daysFromCivil(year, month, day) * DAY_MS + timeOfDay;
}

/** An instant as ISO 8601 UTC, without a fraction when it is zero: `2026-12-01T00:00:00Z`. */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * The wall clock of one IANA zone. `Intl.DateTimeFormat#formatToParts` is slow, so the offset
 * is read once per UTC hour boundary and reused for the whole hour when the offsets at both
 * ends agree; only an hour that contains a change of offset is read instant by instant. This
 * assumes a zone does not change its offset twice within one hour.
 */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsetsAtHour = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Milliseconds to add to an instant to get its wall clock in this zone. */
  offsetAt(ms: number): number {
    const hour = Math.floor(ms / HOUR_MS);
    const atStart = this.offsetAtHour(hour);
    if (atStart === this.offsetAtHour(hour + 1)) return atStart;
    return this.readOffset(ms);
  }

  toLocal(ms: number): number {
    return ms + this.offsetAt(ms);
  }

  wallClock(ms: number): WallClock {
    return wallClockOfLocal(this.toLocal(ms));
  }

  /**
   * The instant showing a wall clock. A time shown twice (clocks turned back) gives the earlier
   * instant; a time skipped (clocks turned forward) is read with the offset before the change,
   * which lands just after it. Both are what `Temporal`'s "compatible" choice does.
   */
  fromLocal(localMs: number): number {
    const before = this.offsetAt(localMs - DAY_MS);
    const after = this.offsetAt(localMs + DAY_MS);
    const fits = [localMs - before, localMs - after].filter((ms) => this.toLocal(ms) === localMs);
    return fits.length > 0 ? Math.min(...fits) : localMs - before;
  }

  /**
   * Steps the wall clock back by whole years and months, keeping the time of day and clamping
   * the day to the target month's end (March 31 minus one month is February 28 or 29).
   */
  minusMonths(ms: number, months: number): number {
    if (months === 0) return ms;

    const local = this.toLocal(ms);
    const days = Math.floor(local / DAY_MS);
    const date = civilFromDays(days);
    const monthIndex = date.year * 12 + date.month - 1 - months;
    const year = Math.floor(monthIndex / 12);
    const month = monthIndex - year * 12 + 1;
    const day = Math.min(date.day, daysInMonth(year, month));

    return this.fromLocal(daysFromCivil(year, month, day) * DAY_MS + (local - days * DAY_MS));
  }

  /**
   * The instant a retention duration before `ms`: years and months step on this zone's
   * calendar first, then weeks, days and hours are taken off as elapsed time, so a
   * daylight-saving change never lengthens or shortens `1d`.
   */
  minusDuration(ms: number, duration: RetentionDuration): number {
    return this.minusMonths(ms, duration.years * 12 + duration.months) - fixedPartMs(duration);
  }

  private offsetAtHour(hour: number): number {
    const cached = this.offsetsAtHour.get(hour);
    if (cached !== undefined) return cached;

    const offset = this.readOffset(hour * HOUR_MS);
    this.offsetsAtHour.set(hour, offset);
    return offset;
  }

  private readOffset(ms: number): number {
    const fields: Record<string, number> = {};
    for (const part of this.format.formatToParts(ms)) fields[part.type] = Number(part.value);

    const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
    const local =
      daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000;
    return local - Math.floor(ms / 1000) * 1000;
  }
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}
