import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema';
import {
  guardPlan,
  planRetention,
  type Action,
  type Decision,
  type GuardLimits,
  type Snapshot,
} from '../../src/retention';

function decision(regionId: string, action: Action, index: number): Decision {
  return {
    snapshotId: `s-${regionId}-${action}-${index}`,
    regionId,
    sourceDiskId: 'd-1',
    creationTime: '2026-11-01T00:00:00Z',
    action,
    policy: 'p',
    reasons: [],
    sizeGiB: 40,
    usage: null,
    flags: [],
  };
}

/** `counts` such as `{ delete: 3, park: 2, keep: 5 }` for one region. */
function region(regionId: string, counts: Partial<Record<Action, number>>): Decision[] {
  return Object.entries(counts).flatMap(([action, count]) =>
    Array.from({ length: count }, (_, index) => decision(regionId, action as Action, index)),
  );
}

const limits = (maxDeletionsPerRun: number, maxDeletionFraction: number): GuardLimits => ({
  maxDeletionsPerRun,
  maxDeletionFraction,
});

describe('guardPlan', () => {
  it.each([
    { name: 'an empty plan', decisions: [], limits: limits(0, 0) },
    {
      name: 'deletions within both caps',
      decisions: region('a', { delete: 2, keep: 8 }),
      limits: limits(5, 0.5),
    },
    {
      name: 'exactly maxDeletionsPerRun',
      decisions: region('a', { delete: 3, park: 1, keep: 6 }),
      limits: limits(4, 1),
    },
    {
      name: 'exactly maxDeletionFraction',
      decisions: region('a', { delete: 5, keep: 5 }),
      limits: limits(100, 0.5),
    },
    {
      name: 'a fraction that rounds below its product',
      decisions: region('a', { delete: 57, keep: 43 }),
      limits: limits(100, 0.57),
    },
    {
      name: 'nothing removed under zero caps',
      decisions: region('a', { keep: 3 }),
      limits: limits(0, 0),
    },
  ])('passes $name', ({ decisions, limits: caps }) => {
    expect(guardPlan(decisions, caps)).toEqual({ ok: true, code: null, reason: null });
  });

  it('counts parked snapshots as deletions', () => {
    const result = guardPlan(region('cn-hangzhou', { delete: 3, park: 2, keep: 95 }), limits(4, 1));
    expect(result).toEqual({
      ok: false,
      code: 'GUARD_MAX_DELETIONS',
      reason: 'planned 5 deletions (delete and park), more than maxDeletionsPerRun 4',
    });
  });

  it('trips on one deletion when maxDeletionsPerRun is 0', () => {
    expect(guardPlan(region('a', { delete: 1, keep: 9 }), limits(0, 1)).code).toBe(
      'GUARD_MAX_DELETIONS',
    );
  });

  it('checks the share per region, naming the region', () => {
    const decisions = [
      ...region('cn-hangzhou', { delete: 4, park: 2, keep: 4 }),
      ...region('cn-beijing', { keep: 90 }),
    ];
    expect(guardPlan(decisions, limits(1000, 0.5))).toEqual({
      ok: false,
      code: 'GUARD_MAX_FRACTION',
      reason:
        'planned to remove 6 of 10 snapshots (60%) in region cn-hangzhou, more than maxDeletionFraction 0.5',
    });
  });

  it('names every region over the share, and the whole run when it is over too', () => {
    const decisions = [
      ...region('cn-shanghai', { delete: 2, keep: 1 }),
      ...region('cn-beijing', { delete: 3, keep: 1 }),
    ];
    expect(guardPlan(decisions, limits(1000, 0.5)).reason).toBe(
      'planned to remove 3 of 4 snapshots (75%) in region cn-beijing; 2 of 3 snapshots (66.7%) in region cn-shanghai; 5 of 7 snapshots (71.4%) over the whole run, more than maxDeletionFraction 0.5',
    );
  });

  it('checks maxDeletionsPerRun before the share', () => {
    expect(guardPlan(region('a', { delete: 10 }), limits(5, 0.1)).code).toBe('GUARD_MAX_DELETIONS');
  });
});

describe('plan guard', () => {
  it('still lists every decision when the guard trips', () => {
    const snapshots: Snapshot[] = [
      '2026-11-01T00:00:00Z',
      '2026-10-01T00:00:00Z',
      '2026-09-01T00:00:00Z',
    ].map((creationTime, index) => ({
      snapshotId: `s-${index}`,
      regionId: 'cn-hangzhou',
      snapshotName: null,
      sourceDiskId: 'd-1',
      sourceDiskSize: '40',
      creationTime,
      status: 'accomplished',
      snapshotType: 'auto',
      usage: null,
      resourceGroupId: null,
      tags: [],
    }));
    const config = {
      timezone: 'UTC',
      policies: configSchema.shape.policies.parse([{ name: 'p', keep: { last: 1 } }]),
      safety: configSchema.shape.safety.parse({
        minAge: '1d',
        keepNewestPerDisk: 1,
        maxDeletionsPerRun: 1,
        maxDeletionFraction: 1,
      }),
    };
    const plan = planRetention({
      snapshots,
      disks: { kind: 'assume-all' },
      config,
      now: new Date('2026-12-01T00:00:00Z'),
    });

    expect(plan.guard.code).toBe('GUARD_MAX_DELETIONS');
    expect(plan.decisions.map((d) => d.action)).toEqual(['keep', 'delete', 'delete']);
  });
});
