import type { RetentionDuration } from '../config/duration';
import type { Policy } from '../config/schema';
import { formatUtc, type BucketUnit, type ZoneClock } from './calendar';
import { isCountable, type CountableFacts, type SnapshotFacts } from './facts';
import type { StaleDisk } from './types';

interface Cadence {
  readonly text: string;
  /** Twice the cadence, the gap after which a disk is reported. */
  readonly twice: RetentionDuration;
}

const CADENCES: Readonly<Record<BucketUnit, Cadence>> = {
  hourly: cadence('1h', { hours: 2 }),
  daily: cadence('1d', { days: 2 }),
  weekly: cadence('7d', { weeks: 2 }),
  monthly: cadence('1m', { months: 2 }),
  yearly: cadence('1y', { years: 2 }),
};

const FINEST_FIRST: readonly BucketUnit[] = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'];

/**
 * The cadence a policy expects: its finest bucket rule that is on. `last` and `within` say
 * nothing about how often snapshots are taken, so a policy with only those expects none.
 */
export function expectedCadence(policy: Pick<Policy, 'keep'>): Cadence | null {
  const unit = FINEST_FIRST.find((name) => {
    const count = policy.keep[name];
    return count === 'unlimited' || (count ?? 0) > 0;
  });
  return unit === undefined ? null : CADENCES[unit];
}

/**
 * Disks that still exist whose newest usable snapshot under a policy is older than twice that
 * policy's cadence: a backup job that silently stopped. Twice, because a job on schedule
 * leaves gaps of up to one cadence plus its own run time, and a single late run is not worth
 * waking someone; two missed runs in a row are. Months and years step on the calendar.
 * With an `assume-all` disk inventory every disk counts as existing.
 */
export function findStaleDisks(
  facts: readonly SnapshotFacts[],
  governing: readonly (Policy | null)[],
  clock: ZoneClock,
  nowMs: number,
): StaleDisk[] {
  const newest = newestPerDiskAndPolicy(facts, governing);
  const stale: StaleDisk[] = [];

  for (const { item, policy } of newest) {
    const expected = expectedCadence(policy);
    if (expected === null || item.timeMs >= clock.minusDuration(nowMs, expected.twice)) continue;
    stale.push({
      diskId: item.snapshot.sourceDiskId ?? '',
      regionId: item.snapshot.regionId,
      policy: policy.name,
      newestSnapshotTime: formatUtc(item.timeMs),
      expectedEvery: expected.text,
    });
  }
  return stale.sort((a, b) => compareText(a.diskId, b.diskId) || compareText(a.policy, b.policy));
}

interface Newest {
  readonly item: CountableFacts;
  readonly policy: Policy;
}

function newestPerDiskAndPolicy(
  facts: readonly SnapshotFacts[],
  governing: readonly (Policy | null)[],
): Newest[] {
  const newest = new Map<Policy, Map<string, CountableFacts>>();
  for (const item of facts) {
    const policy = governing[item.index];
    if (!policy || item.disk !== 'live' || !isCountable(item)) continue;

    let byDisk = newest.get(policy);
    if (!byDisk) newest.set(policy, (byDisk = new Map()));
    const diskId = item.snapshot.sourceDiskId ?? '';
    const seen = byDisk.get(diskId);
    if (!seen || item.timeMs > seen.timeMs) byDisk.set(diskId, item);
  }
  return [...newest].flatMap(([policy, byDisk]) =>
    [...byDisk.values()].map((item) => ({ item, policy })),
  );
}

function cadence(text: string, twice: Partial<RetentionDuration>): Cadence {
  const parts = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, ...twice };
  return { text, twice: { ...parts, text: '' } };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
