import { describe, expect, it } from 'vitest';
import { parseRetentionDuration } from '../../src/config/duration';
import {
  bucketLabel,
  civilFromDays,
  DAY_MS,
  daysFromCivil,
  formatUtc,
  isoWeek,
  parseUtcTimestamp,
  ZoneClock,
  type BucketUnit,
} from '../../src/retention/calendar';

const ms = (iso: string): number => Date.parse(iso);

describe('parseUtcTimestamp', () => {
  it.each([
    { text: '2026-11-30T14:05Z', iso: '2026-11-30T14:05:00.000Z' },
    { text: '2026-11-30T14:05:09Z', iso: '2026-11-30T14:05:09.000Z' },
    { text: '2026-11-30T14:05:09.5Z', iso: '2026-11-30T14:05:09.500Z' },
    { text: '2026-11-30T14:05:09.123456789Z', iso: '2026-11-30T14:05:09.123Z' },
    { text: '2024-02-29T00:00:00Z', iso: '2024-02-29T00:00:00.000Z' },
    { text: '2000-02-29T23:59:59Z', iso: '2000-02-29T23:59:59.000Z' },
  ])('reads $text', ({ text, iso }) => {
    expect(parseUtcTimestamp(text)).toBe(ms(iso));
  });

  it.each([
    { why: 'no Z', text: '2026-11-30T14:05:00' },
    { why: 'an offset', text: '2026-11-30T14:05:00+08:00' },
    { why: 'Feb 29 in a common year', text: '2026-02-29T00:00:00Z' },
    { why: 'Feb 29 in a century year', text: '1900-02-29T00:00:00Z' },
    { why: 'month 13', text: '2026-13-01T00:00:00Z' },
    { why: 'month 0', text: '2026-00-10T00:00:00Z' },
    { why: 'day 31 of April', text: '2026-04-31T00:00:00Z' },
    { why: 'hour 24', text: '2026-11-30T24:00:00Z' },
    { why: 'minute 60', text: '2026-11-30T12:60:00Z' },
    { why: 'a leap second', text: '2016-12-31T23:59:60Z' },
    { why: 'a date alone', text: '2026-11-30' },
    { why: 'a space for T', text: '2026-11-30 14:05:00Z' },
    { why: 'lower-case z', text: '2026-11-30T14:05:00z' },
    { why: 'an epoch number', text: '1764511500' },
    { why: 'garbage', text: 'yesterday' },
    { why: 'an empty text', text: '' },
  ])('rejects $why', ({ text }) => {
    expect(parseUtcTimestamp(text)).toBeNull();
  });
});

describe('civil dates', () => {
  it('round-trips every day from 1600 to 2400', () => {
    const first = daysFromCivil(1600, 1, 1);
    const last = daysFromCivil(2400, 12, 31);
    const wrong: number[] = [];
    for (let days = first; days <= last; days += 1) {
      const date = civilFromDays(days);
      if (daysFromCivil(date.year, date.month, date.day) !== days) wrong.push(days);
    }
    expect(wrong).toEqual([]);
    expect(last - first + 1).toBe(801 * 365 + 195);
  });

  it('agrees with Date at the epoch and in a leap year', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2024, 2, 29) * DAY_MS).toBe(ms('2024-02-29T00:00:00Z'));
  });
});

describe('isoWeek', () => {
  it.each([
    { date: '2016-01-01', week: '2015-W53' },
    { date: '2016-01-03', week: '2015-W53' },
    { date: '2016-01-04', week: '2016-W01' },
    { date: '2015-12-28', week: '2015-W53' },
    { date: '2014-12-28', week: '2014-W52' },
    { date: '2014-12-29', week: '2015-W01' },
    { date: '2024-12-30', week: '2025-W01' },
    { date: '2026-11-29', week: '2026-W48' },
    { date: '2026-11-30', week: '2026-W49' },
    { date: '2026-12-28', week: '2026-W53' },
    { date: '2027-01-01', week: '2026-W53' },
    { date: '2021-01-03', week: '2020-W53' },
  ])('$date is in $week', ({ date, week }) => {
    const [year = 0, month = 0, day = 0] = date.split('-').map(Number);
    const found = isoWeek({ year, month, day });
    expect(`${found.weekYear}-W${String(found.week).padStart(2, '0')}`).toBe(week);
  });
});

describe('bucketLabel', () => {
  const local = ms('2026-11-30T14:05:09Z');
  it.each<{ unit: BucketUnit; label: string }>([
    { unit: 'hourly', label: '2026-11-30T14' },
    { unit: 'daily', label: '2026-11-30' },
    { unit: 'weekly', label: '2026-W49' },
    { unit: 'monthly', label: '2026-11' },
    { unit: 'yearly', label: '2026' },
  ])('$unit is $label', ({ unit, label }) => {
    expect(bucketLabel(unit, local)).toBe(label);
  });
});

describe('ZoneClock', () => {
  it.each([
    { zone: 'UTC', at: '2026-07-01T00:00:00Z', offsetHours: 0 },
    { zone: 'Asia/Shanghai', at: '2026-07-01T00:00:00Z', offsetHours: 8 },
    { zone: 'Europe/Berlin', at: '2026-03-29T00:59:59Z', offsetHours: 1 },
    { zone: 'Europe/Berlin', at: '2026-03-29T01:00:00Z', offsetHours: 2 },
    { zone: 'America/New_York', at: '2026-11-01T05:59:59Z', offsetHours: -4 },
    { zone: 'America/New_York', at: '2026-11-01T06:00:00Z', offsetHours: -5 },
    { zone: 'Asia/Kolkata', at: '2026-07-01T00:00:00Z', offsetHours: 5.5 },
    { zone: 'Australia/Lord_Howe', at: '2026-04-04T14:59:59Z', offsetHours: 11 },
    { zone: 'Australia/Lord_Howe', at: '2026-04-04T15:00:00Z', offsetHours: 10.5 },
  ])('$zone is UTC$offsetHours h at $at', ({ zone, at, offsetHours }) => {
    expect(new ZoneClock(zone).offsetAt(ms(at))).toBe(offsetHours * 3_600_000);
  });

  it('agrees with Intl at every 7 minutes through a year of a DST zone', () => {
    const clock = new ZoneClock('Australia/Lord_Howe');
    const format = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Australia/Lord_Howe',
      dateStyle: 'short',
      timeStyle: 'medium',
    });
    for (let at = ms('2026-01-01T00:00:00Z'); at < ms('2027-01-01T00:00:00Z'); at += 420_000) {
      const wall = new Date(clock.toLocal(at)).toISOString().slice(0, 19).replace('T', ' ');
      if (wall !== format.format(at)) expect({ at: formatUtc(at), wall }).toBe(format.format(at));
    }
  });

  it.each([
    {
      why: 'a skipped time moves forward',
      zone: 'Europe/Berlin',
      wall: '2026-03-29T02:30:00Z',
      at: '2026-03-29T01:30:00Z',
    },
    {
      why: 'a repeated time gives the earlier',
      zone: 'Europe/Berlin',
      wall: '2026-10-25T02:30:00Z',
      at: '2026-10-25T00:30:00Z',
    },
    {
      why: 'an ordinary time',
      zone: 'Asia/Shanghai',
      wall: '2026-11-30T08:00:00Z',
      at: '2026-11-30T00:00:00Z',
    },
  ])('fromLocal: $why', ({ zone, wall, at }) => {
    expect(formatUtc(new ZoneClock(zone).fromLocal(ms(wall)))).toBe(formatUtc(ms(at)));
  });

  it.each([
    {
      why: 'Mar 31 - 1m = Feb 29 in a leap year',
      from: '2024-03-31T12:00:00Z',
      months: 1,
      to: '2024-02-29T12:00:00Z',
    },
    {
      why: 'Mar 31 - 1m = Feb 28 in a common year',
      from: '2023-03-31T12:00:00Z',
      months: 1,
      to: '2023-02-28T12:00:00Z',
    },
    {
      why: 'May 31 - 1m = Apr 30',
      from: '2026-05-31T00:00:00Z',
      months: 1,
      to: '2026-04-30T00:00:00Z',
    },
    {
      why: 'Feb 29 - 1y = Feb 28',
      from: '2024-02-29T06:00:00Z',
      months: 12,
      to: '2023-02-28T06:00:00Z',
    },
    {
      why: 'Jan 15 - 1m crosses the year',
      from: '2026-01-15T00:00:00Z',
      months: 1,
      to: '2025-12-15T00:00:00Z',
    },
    { why: 'Mar 31 - 13m', from: '2026-03-31T00:00:00Z', months: 13, to: '2025-02-28T00:00:00Z' },
  ])('minusMonths in UTC: $why', ({ from, months, to }) => {
    expect(formatUtc(new ZoneClock('UTC').minusMonths(ms(from), months))).toBe(formatUtc(ms(to)));
  });

  it('minusMonths clamps by the wall-clock date of the zone, not of UTC', () => {
    // 2024-03-31T20:00Z is already April 1 in Shanghai, so one month back is March 1 there.
    const clock = new ZoneClock('Asia/Shanghai');
    expect(formatUtc(clock.minusMonths(ms('2024-03-31T20:00:00Z'), 1))).toBe(
      '2024-02-29T20:00:00Z',
    );
    expect(formatUtc(clock.minusMonths(ms('2024-03-31T12:00:00Z'), 1))).toBe(
      '2024-02-29T12:00:00Z',
    );
  });

  it('minusMonths keeps the wall-clock time across a DST change (Berlin)', () => {
    const clock = new ZoneClock('Europe/Berlin');
    // 12:00 CEST on April 15 minus one month is 12:00 CET on March 15.
    expect(formatUtc(clock.minusMonths(ms('2026-04-15T10:00:00Z'), 1))).toBe(
      '2026-03-15T11:00:00Z',
    );
  });

  it('minusDuration takes days and hours as elapsed time across a DST change (Berlin)', () => {
    const clock = new ZoneClock('Europe/Berlin');
    const days = parseRetentionDuration('1d');
    const mixed = parseRetentionDuration('1m1d');
    if (!days || !mixed) throw new Error('durations did not parse');

    expect(formatUtc(clock.minusDuration(ms('2026-03-29T12:00:00Z'), days))).toBe(
      '2026-03-28T12:00:00Z',
    );
    expect(formatUtc(clock.minusDuration(ms('2026-04-15T10:00:00Z'), mixed))).toBe(
      '2026-03-14T11:00:00Z',
    );
  });
});
