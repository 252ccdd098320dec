import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema';
import {
  planRetention,
  type DiskInventory,
  type Plan,
  type RetentionConfig,
  type Snapshot,
} from '../../src/retention';

const NOW = '2026-12-01T00:00:00Z';

/** A snapshot of disk d-1 taken at `time`, named after its id. */
function snap(id: string, time: string, extra: Partial<Snapshot> = {}): Snapshot {
  return {
    snapshotId: id,
    regionId: 'cn-hangzhou',
    snapshotName: id,
    sourceDiskId: 'd-1',
    sourceDiskSize: '40',
    creationTime: time,
    status: 'accomplished',
    snapshotType: 'auto',
    usage: 'none',
    resourceGroupId: 'rg-1',
    tags: [],
    ...extra,
  };
}

/** One policy with `keep`, and safety rules that keep nothing by themselves. */
function configWith(keep: object, policy: object = {}, timezone = 'UTC'): RetentionConfig {
  return {
    timezone,
    policies: configSchema.shape.policies.parse([{ name: 'p', keep, ...policy }]),
    safety: configSchema.shape.safety.parse({
      minAge: '0h',
      keepNewestPerDisk: 0,
      maxDeletionsPerRun: 1_000_000,
      maxDeletionFraction: 1,
    }),
  };
}

function plan(snapshots: Snapshot[], config: RetentionConfig, now = NOW): Plan {
  const disks: DiskInventory = { kind: 'assume-all' };
  return planRetention({ snapshots, disks, config, now: new Date(now) });
}

function keptIds(result: Plan): string[] {
  return result.decisions.filter((d) => d.action === 'keep').map((d) => d.snapshotId);
}

function reasonsOf(result: Plan, id: string): readonly string[] {
  return result.decisions.find((d) => d.snapshotId === id)?.reasons ?? [];
}

/** Snapshots named by their own time, so a table reads as times. */
function at(...times: string[]): Snapshot[] {
  return times.map((time) => snap(time, time));
}

interface RuleCase {
  readonly name: string;
  readonly keep: object;
  readonly times: readonly string[];
  readonly kept: readonly string[];
  readonly now?: string;
  readonly timezone?: string;
}

const RULE_CASES: readonly RuleCase[] = [
  {
    name: 'last keeps the N newest',
    keep: { last: 2 },
    times: ['2026-11-30T00:00Z', '2026-11-29T00:00Z', '2026-11-28T00:00Z'],
    kept: ['2026-11-30T00:00Z', '2026-11-29T00:00Z'],
  },
  {
    name: 'last unlimited keeps everything',
    keep: { last: 'unlimited' },
    times: ['2026-11-30T00:00Z', '2026-11-29T00:00Z', '2020-01-01T00:00Z'],
    kept: ['2026-11-30T00:00Z', '2026-11-29T00:00Z', '2020-01-01T00:00Z'],
  },
  {
    name: 'daily counts only days that have a snapshot, newest of each day',
    keep: { daily: 3 },
    times: [
      '2026-11-20T09:00Z',
      '2026-11-18T10:00Z',
      '2026-11-18T08:00Z',
      '2026-11-15T00:00Z',
      '2026-11-10T00:00Z',
    ],
    kept: ['2026-11-20T09:00Z', '2026-11-18T10:00Z', '2026-11-15T00:00Z'],
  },
  {
    name: 'a rule with count left keeps the oldest even in a bucket already kept',
    keep: { daily: 5 },
    times: ['2026-11-20T00:00Z', '2026-11-18T10:00Z', '2026-11-18T08:00Z'],
    kept: ['2026-11-20T00:00Z', '2026-11-18T10:00Z', '2026-11-18T08:00Z'],
  },
  {
    name: 'a rule whose count ran out does not keep the oldest',
    keep: { daily: 1 },
    times: ['2026-11-20T00:00Z', '2026-11-18T10:00Z'],
    kept: ['2026-11-20T00:00Z'],
  },
  {
    name: 'hourly ignores minutes',
    keep: { hourly: 2 },
    times: ['2026-11-30T14:50Z', '2026-11-30T14:10Z', '2026-11-30T13:30Z', '2026-11-30T12:00Z'],
    kept: ['2026-11-30T14:50Z', '2026-11-30T13:30Z'],
  },
  {
    name: 'the ISO week spanning New Year is one bucket of the older year (2015-W53)',
    keep: { weekly: 2 },
    times: ['2016-01-04T00:00Z', '2016-01-03T00:00Z', '2015-12-28T00:00Z'],
    kept: ['2016-01-04T00:00Z', '2016-01-03T00:00Z'],
    now: '2016-02-01T00:00Z',
  },
  {
    name: 'the ISO week spanning New Year is one bucket of the newer year (2015-W01)',
    keep: { weekly: 2 },
    times: ['2015-01-04T00:00Z', '2014-12-29T00:00Z', '2014-12-28T00:00Z'],
    kept: ['2015-01-04T00:00Z', '2014-12-28T00:00Z'],
    now: '2015-02-01T00:00Z',
  },
  {
    name: 'monthly keeps the newest of each month',
    keep: { monthly: 2 },
    times: [
      '2026-11-30T00:00Z',
      '2026-11-02T00:00Z',
      '2026-10-31T00:00Z',
      '2026-10-01T00:00Z',
      '2026-09-15T00:00Z',
    ],
    kept: ['2026-11-30T00:00Z', '2026-10-31T00:00Z'],
  },
  {
    name: 'yearly unlimited keeps one a year and the oldest',
    keep: { yearly: 'unlimited' },
    times: [
      '2026-06-01T00:00Z',
      '2026-01-01T00:00Z',
      '2025-12-31T00:00Z',
      '2024-03-01T00:00Z',
      '2024-01-01T00:00Z',
    ],
    kept: ['2026-06-01T00:00Z', '2025-12-31T00:00Z', '2024-03-01T00:00Z', '2024-01-01T00:00Z'],
  },
  {
    name: 'rules are a union and one snapshot may fill several rules',
    keep: { last: 2, daily: 2 },
    times: ['2026-11-30T12:00Z', '2026-11-30T08:00Z', '2026-11-29T12:00Z', '2026-11-28T00:00Z'],
    kept: ['2026-11-30T12:00Z', '2026-11-30T08:00Z', '2026-11-29T12:00Z'],
  },
  {
    name: 'a count of 0 turns a rule off',
    keep: { last: 0, daily: 1 },
    times: ['2026-11-30T12:00Z', '2026-11-30T08:00Z'],
    kept: ['2026-11-30T12:00Z'],
  },
  {
    name: 'within keeps a snapshot exactly that old',
    keep: { within: '30d' },
    times: ['2026-11-01T00:00:00Z', '2026-10-31T23:59:59Z', '2026-10-31T23:59:59.999Z'],
    kept: ['2026-11-01T00:00:00Z'],
  },
  {
    name: 'within 1m from March 31 of a leap year stops at February 29',
    keep: { within: '1m' },
    times: ['2024-02-29T12:00:00Z', '2024-02-29T11:59:59Z'],
    kept: ['2024-02-29T12:00:00Z'],
    now: '2024-03-31T12:00:00Z',
  },
  {
    name: 'within 1m from March 31 of a common year stops at February 28',
    keep: { within: '1m' },
    times: ['2023-02-28T12:00:00Z', '2023-02-28T11:59:59Z'],
    kept: ['2023-02-28T12:00:00Z'],
    now: '2023-03-31T12:00:00Z',
  },
  {
    name: 'within 1y from February 29 stops at February 28',
    keep: { within: '1y' },
    times: ['2023-02-28T12:00:00Z', '2023-02-28T11:59:59Z'],
    kept: ['2023-02-28T12:00:00Z'],
    now: '2024-02-29T12:00:00Z',
  },
  {
    name: 'within 1m steps the wall clock across a DST change (Berlin)',
    keep: { within: '1m' },
    times: ['2026-03-15T11:00:00Z', '2026-03-15T10:59:59Z'],
    kept: ['2026-03-15T11:00:00Z'],
    now: '2026-04-15T10:00:00Z',
    timezone: 'Europe/Berlin',
  },
  {
    name: 'within 1d is 24 hours elapsed across a DST change (Berlin)',
    keep: { within: '1d' },
    times: ['2026-03-28T12:30:00Z', '2026-03-28T12:00:00Z', '2026-03-28T11:59:59Z'],
    kept: ['2026-03-28T12:30:00Z', '2026-03-28T12:00:00Z'],
    now: '2026-03-29T12:00:00Z',
    timezone: 'Europe/Berlin',
  },
  {
    name: 'daily buckets follow the zone across a fall-back (New York)',
    keep: { daily: 'unlimited' },
    times: [
      '2026-11-02T05:30Z', // Nov 2 00:30 EST
      '2026-11-02T04:30Z', // Nov 1 23:30 EST
      '2026-11-01T04:30Z', // Nov 1 00:30 EDT
      '2026-11-01T03:30Z', // Oct 31 23:30 EDT
    ],
    kept: ['2026-11-02T05:30Z', '2026-11-02T04:30Z', '2026-11-01T03:30Z'],
    timezone: 'America/New_York',
  },
  {
    name: 'daily buckets follow the zone across a spring-forward (Berlin)',
    keep: { daily: 'unlimited' },
    times: [
      '2026-03-29T22:30Z', // Mar 30 00:30 CEST
      '2026-03-29T21:30Z', // Mar 29 23:30 CEST
      '2026-03-28T23:30Z', // Mar 29 00:30 CET
      '2026-03-28T22:30Z', // Mar 28 23:30 CET
    ],
    kept: ['2026-03-29T22:30Z', '2026-03-29T21:30Z', '2026-03-28T22:30Z'],
    timezone: 'Europe/Berlin',
  },
  {
    name: 'the repeated hour of a fall-back is one hourly bucket (New York)',
    keep: { hourly: 2 },
    times: ['2026-11-01T06:30Z', '2026-11-01T05:30Z', '2026-11-01T04:30Z'],
    kept: ['2026-11-01T06:30Z', '2026-11-01T04:30Z'],
    timezone: 'America/New_York',
  },
];

describe('keep rules', () => {
  it.each(RULE_CASES)('$name', (rule) => {
    const config = configWith(rule.keep, {}, rule.timezone);
    const result = plan(at(...rule.times), config, rule.now);
    expect(keptIds(result)).toEqual(rule.kept);
  });
});

describe('keep reasons', () => {
  it('names the bucket in the configured zone (Sunday in UTC is Monday in Shanghai)', () => {
    const config = configWith(
      { hourly: 1, daily: 1, weekly: 1, monthly: 1, yearly: 1 },
      {},
      'Asia/Shanghai',
    );
    const result = plan(at('2026-11-29T16:30Z'), config);

    expect(reasonsOf(result, '2026-11-29T16:30Z')).toEqual([
      'hourly 2026-11-30T00',
      'daily 2026-11-30',
      'weekly 2026-W49',
      'monthly 2026-11',
      'yearly 2026',
    ]);
  });

  it('lists last, the bucket rules, then within', () => {
    const result = plan(at('2026-11-30T12:00Z'), configWith({ within: '30d', last: 3, daily: 7 }));
    expect(reasonsOf(result, '2026-11-30T12:00Z')).toEqual([
      'last 3',
      'daily 2026-11-30',
      'within 30d',
    ]);
  });

  it('says "oldest" when the oldest shares a bucket with a kept snapshot', () => {
    const result = plan(at('2026-11-30T12:00Z', '2026-11-30T08:00Z'), configWith({ daily: 7 }));
    expect(reasonsOf(result, '2026-11-30T08:00Z')).toEqual(['oldest daily']);
  });

  it('says which rules did not keep a deleted snapshot', () => {
    const config = configWith({ last: 1, daily: 'unlimited', within: '1d' });
    const result = plan(at('2026-11-29T12:00Z', '2026-11-29T08:00Z', '2026-11-29T04:00Z'), config);

    const deleted = result.decisions.find((d) => d.snapshotId === '2026-11-29T08:00Z');
    expect(deleted).toMatchObject({
      action: 'delete',
      policy: 'p',
      reasons: ['not kept by last 1, daily unlimited, within 1d'],
    });
  });
});

describe('ties and order', () => {
  const same = '2026-11-30T12:00Z';

  it('the first listed of identical timestamps represents its bucket', () => {
    const snapshots = ['a', 'b', 'c'].map((id) => snap(id, same));
    expect(keptIds(plan(snapshots, configWith({ daily: 1 })))).toEqual(['a']);
    expect(keptIds(plan(snapshots.toReversed(), configWith({ daily: 1 })))).toEqual(['c']);
  });

  it('last counts identical timestamps one by one, in listing order', () => {
    const snapshots = ['a', 'b', 'c'].map((id) => snap(id, same));
    expect(keptIds(plan(snapshots, configWith({ last: 2 })))).toEqual(['a', 'b']);
  });

  it('lists decisions in the input order, not by time', () => {
    const times = ['2026-11-01T00:00Z', '2026-11-30T00:00Z', '2026-11-15T00:00Z'];
    const result = plan(at(...times), configWith({ last: 1 }));
    expect(result.decisions.map((d) => d.snapshotId)).toEqual(times);
  });
});

describe('groups', () => {
  const snapshots = [
    snap('d1-new', '2026-11-30T00:00Z', { sourceDiskId: 'd-1' }),
    snap('d1-old', '2026-11-20T00:00Z', { sourceDiskId: 'd-1' }),
    snap('d2-new', '2026-11-10T00:00Z', { sourceDiskId: 'd-2' }),
    snap('d2-old', '2026-11-01T00:00Z', { sourceDiskId: 'd-2' }),
  ];

  it('judges each source disk alone by default', () => {
    expect(keptIds(plan(snapshots, configWith({ last: 1 })))).toEqual(['d1-new', 'd2-new']);
  });

  it('judges all matched snapshots as one group with groupBy none', () => {
    const config = configWith({ last: 1 }, { groupBy: 'none' });
    expect(keptIds(plan(snapshots, config))).toEqual(['d1-new']);
  });

  it('counts only accomplished snapshots toward a rule', () => {
    const withFailed = [
      snap('failed', '2026-11-30T06:00Z', { status: 'failed' }),
      snap('progressing', '2026-11-30T07:00Z', { status: 'progressing' }),
      ...snapshots.slice(0, 2),
    ];
    const result = plan(withFailed, configWith({ last: 1 }, { deleteFailed: true }));

    expect(reasonsOf(result, 'd1-new')).toEqual(['last 1']);
    expect(result.decisions.find((d) => d.snapshotId === 'failed')?.action).toBe('delete');
  });
});
