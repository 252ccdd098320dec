import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema';
import {
  expectedCadence,
  planRetention,
  type DiskInventory,
  type Snapshot,
  type StaleDisk,
} from '../../src/retention';

const NOW = '2026-12-01T00:00:00Z';
const LIVE: DiskInventory = { kind: 'known', diskIds: new Set(['d-1', 'd-2']) };

function snap(id: string, creationTime: string, extra: Partial<Snapshot> = {}): Snapshot {
  return {
    snapshotId: id,
    regionId: 'cn-hangzhou',
    snapshotName: id,
    sourceDiskId: 'd-1',
    sourceDiskSize: '40',
    creationTime,
    status: 'accomplished',
    snapshotType: 'auto',
    usage: null,
    resourceGroupId: null,
    tags: [],
    ...extra,
  };
}

function staleDisks(snapshots: Snapshot[], policies: object[], disks = LIVE): readonly StaleDisk[] {
  const config = {
    timezone: 'UTC',
    policies: configSchema.shape.policies.parse(policies),
    safety: configSchema.shape.safety.parse({
      minAge: '1d',
      keepNewestPerDisk: 1,
      maxDeletionsPerRun: 100,
      maxDeletionFraction: 1,
    }),
  };
  return planRetention({ snapshots, disks, config, now: new Date(NOW) }).staleDisks;
}

const daily = [{ name: 'daily', keep: { last: 3, daily: 7, monthly: 12 } }];

describe('expectedCadence', () => {
  it.each([
    { keep: { hourly: 24, daily: 7 }, every: '1h' },
    { keep: { last: 3, daily: 7, monthly: 12 }, every: '1d' },
    { keep: { weekly: 'unlimited' }, every: '7d' },
    { keep: { monthly: 12, yearly: 3 }, every: '1m' },
    { keep: { yearly: 1 }, every: '1y' },
    { keep: { hourly: 0, daily: 7 }, every: '1d' },
    { keep: { last: 3, within: '30d' }, every: null },
  ])('$keep expects one every $every', ({ keep, every }) => {
    const [policy] = configSchema.shape.policies.parse([{ name: 'p', keep }]);
    expect(policy && expectedCadence(policy)?.text).toBe(every ?? undefined);
  });
});

describe('staleDisks', () => {
  it('reports a live disk whose newest snapshot is more than twice the cadence old', () => {
    expect(staleDisks([snap('s', '2026-11-28T23:59:59Z')], daily)).toEqual([
      {
        diskId: 'd-1',
        regionId: 'cn-hangzhou',
        policy: 'daily',
        newestSnapshotTime: '2026-11-28T23:59:59Z',
        expectedEvery: '1d',
      },
    ]);
  });

  it('does not report a disk whose newest snapshot is exactly twice the cadence old', () => {
    expect(staleDisks([snap('s', '2026-11-29T00:00:00Z')], daily)).toEqual([]);
  });

  it('steps months on the calendar', () => {
    const monthly = [{ name: 'monthly', keep: { monthly: 12 } }];
    expect(staleDisks([snap('s', '2026-10-01T00:00:00Z')], monthly)).toEqual([]);
    expect(staleDisks([snap('s', '2026-09-30T23:59:59Z')], monthly)).toHaveLength(1);
  });

  it('judges a disk by its newest snapshot, not by older ones', () => {
    const listing = [snap('old', '2026-11-01T00:00:00Z'), snap('new', '2026-11-30T00:00:00Z')];
    expect(staleDisks(listing, daily)).toEqual([]);
  });

  it('counts only accomplished snapshots as a sign of life', () => {
    const listing = [
      snap('old', '2026-11-01T00:00:00Z'),
      snap('failed', '2026-11-30T00:00:00Z', { status: 'failed' }),
      snap('progressing', '2026-11-30T06:00:00Z', { status: 'progressing' }),
    ];
    expect(staleDisks(listing, daily).map((s) => s.newestSnapshotTime)).toEqual([
      '2026-11-01T00:00:00Z',
    ]);
  });

  it('does not report a released disk', () => {
    expect(
      staleDisks([snap('s', '2026-11-01T00:00:00Z', { sourceDiskId: 'd-gone' })], daily),
    ).toEqual([]);
  });

  it('reports any disk when the inventory assumes all exist', () => {
    const listing = [snap('s', '2026-11-01T00:00:00Z', { sourceDiskId: 'd-gone' })];
    expect(staleDisks(listing, daily, { kind: 'assume-all' })).toHaveLength(1);
  });

  it('expects nothing of a policy with only last and within', () => {
    expect(
      staleDisks(
        [snap('s', '2020-01-01T00:00:00Z')],
        [{ name: 'p', keep: { last: 3, within: '1y' } }],
      ),
    ).toEqual([]);
  });

  it('judges each policy that governs a disk by its own cadence, sorted by disk', () => {
    const policies = [
      { name: 'manual', match: { snapshotType: 'user' }, keep: { weekly: 4 } },
      { name: 'auto', match: { snapshotType: 'auto' }, keep: { hourly: 24 } },
    ];
    const listing = [
      snap('d2-auto', '2026-11-30T20:00:00Z', { sourceDiskId: 'd-2' }),
      snap('d1-user', '2026-11-10T00:00:00Z', { snapshotType: 'user' }),
      snap('d1-auto', '2026-11-30T23:00:00Z'),
    ];
    expect(staleDisks(listing, policies).map((s) => [s.diskId, s.policy, s.expectedEvery])).toEqual(
      [
        ['d-1', 'manual', '7d'],
        ['d-2', 'auto', '1h'],
      ],
    );
  });
});
