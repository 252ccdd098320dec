import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema';
import {
  planRetention,
  protectTagsOn,
  type Decision,
  type DiskInventory,
  type Plan,
  type RetentionConfig,
  type Snapshot,
} from '../../src/retention';

const NOW = '2026-12-01T00:00:00Z';
const OLD = '2026-10-01T00:00:00Z';
const ALL_DISKS: DiskInventory = { kind: 'assume-all' };

function snap(id: string, extra: Partial<Snapshot> = {}): Snapshot {
  return {
    snapshotId: id,
    regionId: 'cn-hangzhou',
    snapshotName: id,
    sourceDiskId: 'd-1',
    sourceDiskSize: '40',
    creationTime: OLD,
    status: 'accomplished',
    snapshotType: 'auto',
    usage: 'none',
    resourceGroupId: 'rg-1',
    tags: [],
    ...extra,
  };
}

/** `newest` is kept by `last 1` under policy p; anything else listed is up to the safety rules. */
const newest = (): Snapshot => snap('newest', { creationTime: '2026-11-20T00:00:00Z' });

function configWith(safety: object = {}, policies?: object[]): RetentionConfig {
  return {
    timezone: 'UTC',
    policies: configSchema.shape.policies.parse(policies ?? [{ name: 'p', keep: { last: 1 } }]),
    safety: configSchema.shape.safety.parse({
      minAge: '1d',
      keepNewestPerDisk: 0,
      maxDeletionsPerRun: 1_000_000,
      maxDeletionFraction: 1,
      protectTags: [{ key: 'retain', value: 'true' }],
      ...safety,
    }),
  };
}

function plan(snapshots: Snapshot[], config = configWith(), disks = ALL_DISKS): Plan {
  return planRetention({ snapshots, disks, config, now: new Date(NOW) });
}

function decisionOf(result: Plan, id: string): Decision {
  const found = result.decisions.find((d) => d.snapshotId === id);
  if (!found) throw new Error(`no decision for ${id}`);
  return found;
}

/** The decision for `subject` listed after a newer snapshot that `last 1` keeps. */
function judge(subject: Snapshot, config = configWith(), disks = ALL_DISKS): Decision {
  return decisionOf(plan([newest(), subject], config, disks), subject.snapshotId);
}

describe('protect tags', () => {
  it.each([
    { name: 'the exact tag protects', tag: { key: 'retain', value: 'true' }, kept: true },
    { name: 'spaces and case are ignored', tag: { key: 'Retain ', value: ' TRUE ' }, kept: true },
    { name: 'another value does not protect', tag: { key: 'retain', value: 'false' }, kept: false },
    { name: 'another key does not protect', tag: { key: 'retained', value: 'true' }, kept: false },
  ])('$name', ({ tag, kept }) => {
    const decision = judge(snap('s', { tags: [tag] }));
    expect(decision.action).toBe(kept ? 'keep' : 'delete');
    expect(decision.flags.includes('protected')).toBe(kept);
    if (kept) expect(decision.reasons).toEqual(['protected by retain=true']);
  });

  it.each([
    { name: 'a value of * protects any value', protect: { key: 'legal-hold', value: '*' } },
    { name: 'a protect tag without a value protects any value', protect: { key: 'legal-hold' } },
  ])('$name, even an empty one', ({ protect }) => {
    const config = configWith({ protectTags: [protect] });
    for (const value of ['', 'yes', '2027-01-01']) {
      const decision = judge(snap('s', { tags: [{ key: 'Legal-Hold', value }] }), config);
      expect(decision).toMatchObject({ action: 'keep', reasons: ['protected by legal-hold=*'] });
    }
  });

  it('match.tags compare exactly while protect tags do not', () => {
    const config = configWith({ protectTags: [{ key: 'env', value: 'ci' }] }, [
      { name: 'ci', match: { tags: { env: 'ci' } }, keep: { last: 1 } },
      { name: 'rest', keep: { within: '1d' } },
    ]);
    const decision = judge(snap('s', { tags: [{ key: 'Env', value: 'CI ' }] }), config);
    expect(decision).toMatchObject({
      policy: 'rest',
      action: 'keep',
      reasons: ['protected by env=ci'],
    });
  });
});

describe('minAge', () => {
  it.each([
    { name: 'keeps a snapshot 23 hours old', time: '2026-11-30T01:00:00Z', action: 'keep' },
    { name: 'keeps a snapshot exactly minAge old', time: '2026-11-30T00:00:00Z', action: 'keep' },
    { name: 'lets a snapshot one second older go', time: '2026-11-29T23:59:59Z', action: 'delete' },
  ])('$name', ({ time, action }) => {
    const config = configWith({}, [{ name: 'p', keep: { last: 1 } }]);
    const result = plan(
      [snap('newer', { creationTime: '2026-11-30T12:00:00Z' }), snap('s', { creationTime: time })],
      config,
    );
    expect(decisionOf(result, 's').action).toBe(action);
    if (action === 'keep')
      expect(decisionOf(result, 's').reasons).toEqual(['younger than minAge 1d']);
  });
});

describe('keepNewestPerDisk', () => {
  const policies = [
    { name: 'manual', match: { snapshotType: 'user' }, keep: { within: '1h' } },
    { name: 'auto', match: { snapshotType: 'auto' }, keep: { within: '1h' } },
  ];
  const config = configWith({ keepNewestPerDisk: 2 }, policies);
  const listing = [
    snap('failed-newest', { status: 'failed', creationTime: '2026-11-25T00:00:00Z' }),
    snap('future', { creationTime: '2027-01-01T00:00:00Z' }),
    snap('unreadable', { creationTime: '2026-11-24T00:00:00' }),
    snap('user-1', { snapshotType: 'user', creationTime: '2026-11-20T00:00:00Z' }),
    snap('auto-2', { creationTime: '2026-11-19T00:00:00Z' }),
    snap('auto-3', { creationTime: '2026-11-18T00:00:00Z' }),
    snap('gone-1', { sourceDiskId: 'd-gone', creationTime: '2026-11-20T00:00:00Z' }),
  ];
  const actions = (result: Plan) =>
    Object.fromEntries(result.decisions.map((d) => [d.snapshotId, d.action]));

  it('keeps the newest accomplished snapshots of a live disk across policies and types', () => {
    const result = plan(listing, config, { kind: 'known', diskIds: new Set(['d-1']) });
    expect(actions(result)).toMatchObject({
      'user-1': 'keep',
      'auto-2': 'keep',
      'auto-3': 'delete',
    });
    expect(decisionOf(result, 'user-1').reasons).toEqual(['newest of live disk']);
  });

  it('does not keep the newest of a released disk', () => {
    const result = plan(listing, config, { kind: 'known', diskIds: new Set(['d-1']) });
    expect(decisionOf(result, 'gone-1')).toMatchObject({ action: 'delete', flags: ['orphan'] });
  });

  it('treats every disk as live when the inventory assumes all exist', () => {
    expect(decisionOf(plan(listing, config), 'gone-1').action).toBe('keep');
  });
});

describe('snapshot status', () => {
  it('never deletes a progressing snapshot, however old', () => {
    const progressing = snap('s', { status: 'progressing', creationTime: '2026-11-30T12:00:00Z' });
    const decision = judge(progressing, configWith({ minAge: '0h' }));
    expect(decision).toMatchObject({ action: 'keep', reasons: ['progressing'], flags: [] });
  });

  it('reports a snapshot progressing for over a day as stuck', () => {
    const result = plan([newest(), snap('s', { status: 'progressing' })]);
    expect(decisionOf(result, 's')).toMatchObject({
      action: 'keep',
      reasons: ['progressing (stuck)'],
      flags: ['stuck'],
    });
    expect(result.summary.stuck).toBe(1);
    expect(result.warnings).toEqual([
      'snapshot s has been progressing since 2026-10-01T00:00:00Z, over a day: stuck',
    ]);
  });

  it('keeps a failed snapshot unless the policy opts in', () => {
    expect(judge(snap('s', { status: 'failed' }))).toMatchObject({
      action: 'keep',
      reasons: ['failed, deleteFailed is off'],
    });
  });

  it.each([
    { name: 'deletes a failed snapshot older than minAge', time: OLD, action: 'delete' },
    {
      name: 'keeps a failed snapshot younger than minAge',
      time: '2026-11-30T06:00:00Z',
      action: 'keep',
    },
  ])('with deleteFailed: $name', ({ time, action }) => {
    const config = configWith({}, [{ name: 'p', keep: { last: 1 }, deleteFailed: true }]);
    const decision = judge(snap('s', { status: 'failed', creationTime: time }), config);
    expect(decision.action).toBe(action);
    if (action === 'delete') expect(decision.reasons).toEqual(['failed, older than minAge 1d']);
  });

  it('a failed snapshot never takes the place of a usable one', () => {
    const config = configWith({}, [{ name: 'p', keep: { last: 1 }, deleteFailed: true }]);
    const result = plan(
      [snap('failed', { status: 'failed', creationTime: '2026-11-25T00:00:00Z' }), newest()],
      config,
    );
    expect(decisionOf(result, 'newest').reasons).toEqual(['last 1']);
  });
});

describe('unreadable fields', () => {
  it.each([
    {
      field: 'creationTime',
      value: '2026-11-01T00:00:00',
      reason: 'unreadable CreationTime "2026-11-01T00:00:00"',
    },
    {
      field: 'creationTime',
      value: '2026-11-01T08:00:00+08:00',
      reason: 'unreadable CreationTime "2026-11-01T08:00:00+08:00"',
    },
    {
      field: 'creationTime',
      value: '2026-02-29T00:00:00Z',
      reason: 'unreadable CreationTime "2026-02-29T00:00:00Z"',
    },
    {
      field: 'creationTime',
      value: '2026-13-01T00:00:00Z',
      reason: 'unreadable CreationTime "2026-13-01T00:00:00Z"',
    },
    { field: 'creationTime', value: 'not a date', reason: 'unreadable CreationTime "not a date"' },
    { field: 'creationTime', value: null, reason: 'unreadable CreationTime (missing)' },
    { field: 'status', value: 'deleting', reason: 'unreadable Status "deleting"' },
    { field: 'status', value: null, reason: 'unreadable Status (missing)' },
    { field: 'snapshotType', value: 'weird', reason: 'unreadable SnapshotType "weird"' },
    { field: 'sourceDiskId', value: null, reason: 'unreadable SourceDiskId (missing)' },
  ])('keeps and lists $field $value', ({ field, value, reason }) => {
    const result = plan([newest(), snap('s', { [field]: value })]);
    expect(decisionOf(result, 's')).toMatchObject({
      action: 'keep',
      reasons: [reason],
      flags: ['unreadable'],
    });
    expect(result.summary.unreadable).toBe(1);
  });

  it('an unreadable snapshot does not count toward a rule', () => {
    const result = plan([snap('bad', { creationTime: '2026-11-30T00:00:00' }), newest()]);
    expect(decisionOf(result, 'newest').reasons).toEqual(['last 1']);
  });
});

describe('future dates', () => {
  const future = snap('future', { creationTime: '2027-06-01T00:00:00Z' });

  it('keeps a future-dated snapshot with a warning', () => {
    const result = plan([newest(), future]);
    expect(decisionOf(result, 'future')).toMatchObject({
      action: 'keep',
      reasons: ['dated in the future'],
      flags: ['future'],
    });
    expect(result.warnings).toEqual([
      'snapshot future is dated in the future (2027-06-01T00:00:00Z); kept',
    ]);
  });

  it('a future-dated snapshot does not take the place of the newest real one', () => {
    expect(decisionOf(plan([future, newest()]), 'newest').reasons).toEqual(['last 1']);
  });
});

describe('park', () => {
  it.each([
    { usage: 'image', action: 'park', holder: 'in use by image (listing)' },
    { usage: 'disk', action: 'park', holder: 'in use by disk (listing)' },
    { usage: 'image_disk', action: 'park', holder: 'in use by image and disk (listing)' },
    { usage: 'none', action: 'delete', holder: null },
    { usage: null, action: 'delete', holder: null },
  ])('an expired snapshot with usage $usage is planned as $action', ({ usage, action, holder }) => {
    const decision = judge(snap('s', { usage }));
    expect(decision.action).toBe(action);
    expect(decision.reasons).toEqual(['not kept by last 1', ...(holder ? [holder] : [])]);
  });

  it('keeping wins over parking', () => {
    const inUse = { ...newest(), usage: 'image' };
    expect(decisionOf(plan([inUse]), 'newest')).toMatchObject({
      action: 'keep',
      reasons: ['last 1'],
    });
    expect(
      judge(snap('s', { usage: 'image', tags: [{ key: 'retain', value: 'true' }] })).action,
    ).toBe('keep');
  });
});

describe('summary', () => {
  it('counts actions, flags and the space a deletion reclaims', () => {
    const result = plan(
      [
        newest(),
        snap('deleted', { sourceDiskSize: '100' }),
        snap('parked', { usage: 'image', sourceDiskSize: '500' }),
        snap('odd-size', { sourceDiskSize: 'lots' }),
        snap('gone', { sourceDiskId: 'd-gone' }),
        snap('bad', { creationTime: 'never' }),
      ],
      configWith(),
      { kind: 'known', diskIds: new Set(['d-1']) },
    );
    expect(result.summary).toEqual({
      total: 6,
      delete: 2,
      keep: 3,
      park: 1,
      reclaimGiB: 100,
      unreadable: 1,
      stuck: 0,
      orphans: 1,
    });
    expect(result.now).toBe(NOW);
  });
});

describe('input checks', () => {
  it('refuses an invalid now rather than expiring everything', () => {
    const input = { snapshots: [newest()], disks: ALL_DISKS, config: configWith() };
    expect(() => planRetention({ ...input, now: new Date('not a date') })).toThrow(RangeError);
  });
});

describe('protectTagsOn', () => {
  it('judges protect tags as the plan does', () => {
    const protectTags = [
      { key: 'retain', value: 'true' },
      { key: 'legal-hold', value: 'yes' },
    ];
    const tags = [
      { key: ' RETAIN', value: 'True ' },
      { key: 'legal-hold', value: 'no' },
    ];
    expect(protectTagsOn(tags, protectTags)).toEqual([{ key: 'retain', value: 'true' }]);
    expect(protectTagsOn([], protectTags)).toEqual([]);
  });
});
