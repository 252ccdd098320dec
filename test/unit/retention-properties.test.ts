import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema';
import {
  planRetention,
  type Decision,
  type DiskInventory,
  type Plan,
  type RetentionConfig,
  type RetentionInput,
  type Snapshot,
} from '../../src/retention';

/**
 * Safety invariants of the engine over random listings, disk inventories and configs. The
 * checks below re-derive what they need from the inputs instead of trusting the engine.
 */

const RUNS = 400;
const NOW_MS = Date.parse('2026-06-01T00:00:00Z');
const HOUR_MS = 3_600_000;

const DISKS = ['d-1', 'd-2', 'd-3', 'd-4'] as const;
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Shanghai', 'Australia/Lord_Howe'];
const UNREADABLE_TIMES = [
  '2026-03-01T00:00:00',
  '2026-03-01T08:00:00+08:00',
  '2026-02-29T00:00:00Z',
  '2026-13-01T00:00:00Z',
  'garbage',
];
/** minAge in whole hours, so the check below needs no calendar. */
const MIN_AGES: Readonly<Record<string, number>> = {
  '0h': 0,
  '1h': 1,
  '1d': 24,
  '36h': 36,
  '2w': 336,
};

const creationTime = fc.oneof(
  { weight: 60, arbitrary: readableTime() },
  { weight: 2, arbitrary: fc.constantFrom(...UNREADABLE_TIMES) },
  { weight: 1, arbitrary: fc.constant(null) },
);

function weighted<T>(choices: readonly (readonly [number, T])[]): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([weight, value]) => ({ weight, arbitrary: fc.constant(value) })));
}

/** Instants from 2.5 years back to a month ahead, often on shared values to make ties. */
function readableTime(): fc.Arbitrary<string> {
  const instant = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 22_000 }).map((hours) => -hours * HOUR_MS) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 720 }).map((hours) => hours * HOUR_MS) },
    { weight: 2, arbitrary: fc.integer({ min: -5, max: 5 }).map((days) => days * 24 * HOUR_MS) },
    { weight: 2, arbitrary: fc.integer({ min: -40_000_000, max: 0 }).map((s) => s * 1000) },
  );
  return instant.map((offset) => new Date(NOW_MS + offset).toISOString().replace('.000', ''));
}

const TAGS = [
  { key: 'retain', value: 'true' },
  { key: ' Retain', value: 'TRUE ' },
  { key: 'retain', value: 'false' },
  { key: 'env', value: 'ci' },
  { key: 'env', value: 'prod' },
];

const snapshotFields = fc.record({
  regionId: fc.constantFrom('cn-hangzhou', 'cn-beijing'),
  snapshotName: fc.constantFrom('nightly-web', 'ci-build', 'manual', null),
  sourceDiskId: fc.oneof(
    { weight: 40, arbitrary: fc.constantFrom(...DISKS) },
    { weight: 1, arbitrary: fc.constant(null) },
  ),
  creationTime,
  status: weighted<string | null>([
    [28, 'accomplished'],
    [6, 'failed'],
    [4, 'progressing'],
    [1, 'weird'],
    [1, null],
  ]),
  snapshotType: weighted<string | null>([
    [12, 'auto'],
    [6, 'timer'],
    [12, 'user'],
    [1, null],
  ]),
  usage: fc.constantFrom('none', 'none', 'image', 'disk', 'image_disk', null),
  resourceGroupId: fc.constantFrom('rg-1', 'rg-2', null),
  tags: fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.subarray(TAGS, { maxLength: 2 }) },
  ),
});

const listing: fc.Arbitrary<Snapshot[]> = fc
  .array(snapshotFields, { maxLength: 60, size: 'max' })
  .map((items) =>
    items.map((fields, index) => ({ snapshotId: `s-${index}`, sourceDiskSize: '40', ...fields })),
  );

const disks: fc.Arbitrary<DiskInventory> = fc.oneof(
  fc.constant<DiskInventory>({ kind: 'assume-all' }),
  fc.subarray([...DISKS]).map((ids): DiskInventory => ({ kind: 'known', diskIds: new Set(ids) })),
);

/** Mostly off, so that a policy has one or two rules on and deletes something. */
const count = fc.oneof(
  { weight: 16, arbitrary: fc.constant(0) },
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 1, arbitrary: fc.constant('unlimited' as const) },
);

type CountRule = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

interface RawKeep {
  last: number | 'unlimited';
  hourly: number | 'unlimited';
  daily: number | 'unlimited';
  weekly: number | 'unlimited';
  monthly: number | 'unlimited';
  yearly: number | 'unlimited';
  within?: string;
}

const keep: fc.Arbitrary<RawKeep> = fc
  .record({
    last: count,
    hourly: count,
    daily: count,
    weekly: count,
    monthly: count,
    yearly: count,
    within: fc.option(fc.constantFrom('36h', '1d', '2w', '30d', '1m', '1y', '1y6m'), {
      nil: undefined,
    }),
  })
  .map((rules) => (hasRule(rules) ? rules : { ...rules, last: 1 }));

function hasRule(rules: RawKeep): boolean {
  const counts = [rules.last, rules.hourly, rules.daily, rules.weekly, rules.monthly, rules.yearly];
  return rules.within !== undefined || counts.some((value) => value !== 0);
}

const SELECTORS: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  snapshotType: fc.constantFrom('auto', 'user', 'all'),
  tags: fc.constantFrom({ env: 'ci' }, { env: '*' }, { retain: 'true' }),
  diskIds: fc.subarray([...DISKS], { minLength: 1 }),
  namePattern: fc.constantFrom('nightly-*', 'ci-?????', '*'),
  resourceGroupId: fc.constantFrom('rg-1', 'rg-2'),
  regions: fc.constantFrom(['cn-hangzhou'], ['cn-beijing']),
  orphaned: fc.boolean(),
  status: fc.constantFrom('accomplished', 'failed', ['failed', 'progressing']),
};

const oneSelector = fc.oneof(
  ...Object.entries(SELECTORS).map(([key, value]) => value.map((chosen) => ({ [key]: chosen }))),
);

/** Mostly no selector or one, so that policies govern enough snapshots to delete some. */
const match: fc.Arbitrary<object> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: oneSelector },
  { weight: 1, arbitrary: fc.record(SELECTORS, { requiredKeys: [] }) },
);

interface RawPolicy {
  name: string;
  match: object;
  keep: RawKeep;
  groupBy: 'disk' | 'none';
  deleteFailed: boolean;
}

const policies: fc.Arbitrary<RawPolicy[]> = fc
  .array(
    fc.record({
      match,
      keep,
      groupBy: fc.constantFrom<'disk' | 'none'>('disk', 'disk', 'none'),
      deleteFailed: fc.boolean(),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((list) => list.map((policy, index) => ({ name: `p${index}`, ...policy })));

interface RawSafety {
  minAge: string;
  keepNewestPerDisk: number;
}

const safety: fc.Arbitrary<RawSafety> = fc.record({
  minAge: fc.constantFrom(...Object.keys(MIN_AGES)),
  keepNewestPerDisk: fc.integer({ min: 0, max: 3 }),
});

const scenario = fc.record({
  snapshots: listing,
  disks,
  timezone: fc.constantFrom(...ZONES),
  policies,
  safety,
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function configOf(input: Scenario, rawPolicies = input.policies): RetentionConfig {
  return {
    timezone: input.timezone,
    policies: configSchema.shape.policies.parse(rawPolicies),
    safety: configSchema.shape.safety.parse({
      ...input.safety,
      maxDeletionsPerRun: 1_000_000,
      maxDeletionFraction: 1,
      protectTags: [{ key: 'retain', value: 'true' }],
    }),
  };
}

function planOf(input: Scenario, snapshots = input.snapshots, rawPolicies = input.policies): Plan {
  const request: RetentionInput = {
    snapshots,
    disks: input.disks,
    config: configOf(input, rawPolicies),
    now: new Date(NOW_MS),
  };
  return planRetention(request);
}

/** The engine's contract for CreationTime: strict UTC; the generator builds only such text. */
function readableMs(snapshot: Snapshot): number | null {
  const text = snapshot.creationTime;
  if (text === null || UNREADABLE_TIMES.includes(text)) return null;
  return Date.parse(text);
}

function isProtected(snapshot: Snapshot): boolean {
  const norm = (text: string) => text.trim().toLowerCase();
  return snapshot.tags.some((tag) => norm(tag.key) === 'retain' && norm(tag.value) === 'true');
}

function mustKeep(snapshot: Snapshot, minAgeHours: number): string | null {
  const ms = readableMs(snapshot);
  if (ms === null) return 'unreadable CreationTime';
  if (isProtected(snapshot)) return 'protected';
  if (ms > NOW_MS) return 'future';
  if (NOW_MS - ms <= minAgeHours * HOUR_MS) return 'younger than minAge';
  if (snapshot.status !== 'accomplished' && snapshot.status !== 'failed') return 'status';
  if (snapshot.snapshotType === null || snapshot.sourceDiskId === null) return 'unreadable';
  return null;
}

function removed(plan: Plan): Set<string> {
  return new Set(plan.decisions.filter((d) => d.action !== 'keep').map((d) => d.snapshotId));
}

const byId = (plan: Plan): Map<string, Decision> =>
  new Map(plan.decisions.map((decision) => [decision.snapshotId, decision]));

describe('retention properties', () => {
  it('never removes a protected, young, future, progressing or unreadable snapshot', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const plan = planOf(input);
        const minAgeHours = MIN_AGES[input.safety.minAge] ?? 0;

        plan.decisions.forEach((decision, index) => {
          const snapshot = input.snapshots[index];
          if (!snapshot || decision.action === 'keep') return;
          expect(mustKeep(snapshot, minAgeHours)).toBeNull();
          expect(decision.policy).not.toBeNull();
          if (snapshot.status === 'failed') {
            expect(input.policies.find((p) => p.name === decision.policy)?.deleteFailed).toBe(true);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps the newest keepNewestPerDisk accomplished snapshots of every live disk', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const plan = planOf(input);
        for (const index of newestOfLiveDisks(input)) {
          expect(plan.decisions[index]?.action).toBe('keep');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('gives every decision at least one reason, and lists decisions in input order', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const plan = planOf(input);
        expect(plan.decisions.map((d) => d.snapshotId)).toEqual(
          input.snapshots.map((s) => s.snapshotId),
        );
        for (const decision of plan.decisions) expect(decision.reasons.length).toBeGreaterThan(0);
        expect(plan.summary.total).toBe(input.snapshots.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('does not depend on listing order apart from identical timestamps', () => {
    fc.assert(
      fc.property(scenario.chain(withPermutation), ([input, permuted]) => {
        const shuffled = keepTiesInOrder(input.snapshots, permuted);
        const first = planOf(input);
        const second = planOf(input, shuffled);

        expect(byId(second)).toEqual(byId(first));
        expect(second.summary).toEqual(first.summary);
        expect(second.staleDisks).toEqual(first.staleDisks);
        expect(second.guard).toEqual(first.guard);
      }),
      { numRuns: RUNS },
    );
  });

  it('never removes more from a part of the listing than from the whole', () => {
    // The worker re-judges a snapshot among its disk's snapshots only; that must not delete more.
    fc.assert(
      fc.property(scenario.chain(withSubset), ([input, part]) => {
        const whole = removed(planOf(input));
        for (const id of removed(planOf(input, part))) expect(whole.has(id)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('never removes more when a keep rule is added or raised', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), raise, (input, which, change) => {
        const target = which % input.policies.length;
        const raised = input.policies.map((policy, index) =>
          index === target ? { ...policy, keep: change(policy.keep) } : policy,
        );
        const before = removed(planOf(input));
        const after = removed(planOf(input, input.snapshots, raised));

        for (const id of after) expect(before.has(id)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

/** A change that can only keep more: a higher count, a new rule, or a longer `within`. */
const raise: fc.Arbitrary<(keep: RawKeep) => RawKeep> = fc.oneof(
  fc
    .record({
      rule: fc.constantFrom<CountRule>('last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'),
      by: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant('unlimited' as const)),
    })
    .map(({ rule, by }) => (rules: RawKeep): RawKeep => {
      const now = rules[rule];
      const next = by === 'unlimited' || now === 'unlimited' ? 'unlimited' : now + by;
      return { ...rules, [rule]: next };
    }),
  fc.constantFrom('12h', '1d', '1w', '1m', '1y').map((extra) => (rules: RawKeep): RawKeep => ({
    ...rules,
    within: `${rules.within ?? ''}${extra}`,
  })),
);

/** Listing positions that `keepNewestPerDisk` must keep, derived from the raw inputs. */
function newestOfLiveDisks(input: Scenario): number[] {
  const live = (diskId: string) =>
    input.disks.kind === 'assume-all' || input.disks.diskIds.has(diskId);
  const byDisk = new Map<string, { index: number; ms: number }[]>();
  input.snapshots.forEach((snapshot, index) => {
    const ms = readableMs(snapshot);
    const diskId = snapshot.sourceDiskId;
    const usable = snapshot.status === 'accomplished' && snapshot.snapshotType !== null;
    if (ms === null || ms > NOW_MS || diskId === null || !usable || !live(diskId)) return;
    byDisk.set(diskId, [...(byDisk.get(diskId) ?? []), { index, ms }]);
  });

  return [...byDisk.values()].flatMap((list) =>
    list
      .sort((a, b) => b.ms - a.ms || a.index - b.index)
      .slice(0, input.safety.keepNewestPerDisk)
      .map((item) => item.index),
  );
}

function withSubset(input: Scenario): fc.Arbitrary<[Scenario, Snapshot[]]> {
  return fc.tuple(fc.constant(input), fc.subarray(input.snapshots));
}

function withPermutation(input: Scenario): fc.Arbitrary<[Scenario, Snapshot[]]> {
  const size = input.snapshots.length;
  const permuted = fc.shuffledSubarray(input.snapshots, { minLength: size, maxLength: size });
  return fc.tuple(fc.constant(input), permuted);
}

/**
 * Reorders a permutation so that snapshots with identical timestamps keep their listing order:
 * each group of equal timestamps is dealt back, in listing order, into the places it took.
 */
function keepTiesInOrder(snapshots: readonly Snapshot[], order: readonly Snapshot[]): Snapshot[] {
  const queues = new Map<string, Snapshot[]>();
  for (const snapshot of snapshots) {
    const key = tieKey(snapshot);
    queues.set(key, [...(queues.get(key) ?? []), snapshot]);
  }
  return order.map((snapshot) => queues.get(tieKey(snapshot))?.shift() ?? snapshot);
}

/** Snapshots whose order the plan may depend on: the same instant (or the same unreadable text). */
function tieKey(snapshot: Snapshot): string {
  const ms = readableMs(snapshot);
  return ms === null ? `text:${snapshot.creationTime}` : `ms:${ms}`;
}
