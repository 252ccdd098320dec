import { afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../src/config/schema';
import { planRetention, type RetentionConfig, type Snapshot } from '../../src/retention';

const NOW_MS = Date.parse('2026-12-01T00:00:00Z');
const HOUR_MS = 3_600_000;

const config: RetentionConfig = {
  timezone: 'Europe/Berlin',
  policies: configSchema.shape.policies.parse([
    { name: 'released', match: { orphaned: true }, keep: { within: '90d' }, groupBy: 'none' },
    {
      name: 'default',
      keep: { last: 3, hourly: 24, daily: 7, weekly: 4, monthly: 12, yearly: 'unlimited' },
    },
  ]),
  safety: configSchema.shape.safety.parse({
    minAge: '1d',
    keepNewestPerDisk: 1,
    maxDeletionsPerRun: 1000,
    maxDeletionFraction: 0.5,
    protectTags: [{ key: 'retain', value: 'true' }],
  }),
};

/** `count` snapshots of 5,000 disks, spread evenly over `hours` before now. */
function listing(count: number, hours: number): Snapshot[] {
  return Array.from({ length: count }, (_, index) => ({
    snapshotId: `s-${index}`,
    regionId: index % 3 === 0 ? 'cn-beijing' : 'cn-hangzhou',
    snapshotName: null,
    sourceDiskId: `d-${index % 5000}`,
    sourceDiskSize: '40',
    creationTime: new Date(NOW_MS - ((index * 7919) % hours) * HOUR_MS - (index % 3600) * 1000)
      .toISOString()
      .replace('.000', ''),
    status: 'accomplished',
    snapshotType: index % 2 === 0 ? 'auto' : 'user',
    usage: index % 50 === 0 ? 'image' : 'none',
    resourceGroupId: null,
    tags: index % 100 === 0 ? [{ key: 'retain', value: 'true' }] : [],
  }));
}

const liveDisks = new Set(Array.from({ length: 4000 }, (_, index) => `d-${index}`));

describe('scale', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads the zone offset about once per hour of history, not once per snapshot', () => {
    const formatToParts = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    const hours = 24 * 365;
    planRetention({
      snapshots: listing(100_000, hours),
      disks: { kind: 'known', diskIds: liveDisks },
      config,
      now: new Date(NOW_MS),
    });
    expect(formatToParts.mock.calls.length).toBeLessThan(hours + 100);
  });

  // How fast is bench/plan-million.ts's business; this only pins that a plan of this size
  // completes and still trips the deletion guard.
  it(
    'plans 1,000,000 snapshots and refuses to delete that many at once',
    { timeout: 120_000 },
    () => {
      const snapshots = listing(1_000_000, 24 * 365 * 3);
      const plan = planRetention({
        snapshots,
        disks: { kind: 'known', diskIds: liveDisks },
        config,
        now: new Date(NOW_MS),
      });

      expect(plan.decisions).toHaveLength(1_000_000);
      expect(plan.guard.code).toBe('GUARD_MAX_DELETIONS');
    },
  );
});
