import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema';
import {
  globToRegExp,
  planRetention,
  type DiskInventory,
  type RetentionConfig,
  type Snapshot,
} from '../../src/retention';

const NOW = new Date('2026-12-01T00:00:00Z');
const ALL_DISKS: DiskInventory = { kind: 'assume-all' };

function snap(extra: Partial<Snapshot> = {}): Snapshot {
  return {
    snapshotId: 's-1',
    regionId: 'cn-hangzhou',
    snapshotName: 'nightly-web-01',
    sourceDiskId: 'd-1',
    sourceDiskSize: '40',
    creationTime: '2026-11-01T00:00:00Z',
    status: 'accomplished',
    snapshotType: 'auto',
    usage: 'none',
    resourceGroupId: 'rg-1',
    tags: [{ key: 'env', value: 'ci' }],
    ...extra,
  };
}

function configWith(policies: object[]): RetentionConfig {
  return {
    timezone: 'UTC',
    policies: configSchema.shape.policies.parse(policies),
    safety: configSchema.shape.safety.parse({
      minAge: '0h',
      keepNewestPerDisk: 0,
      maxDeletionsPerRun: 1_000_000,
      maxDeletionFraction: 1,
    }),
  };
}

/** The policy that governs one snapshot under a single policy `match`, or null. */
function governs(match: object, snapshot: Snapshot, disks = ALL_DISKS): boolean {
  const config = configWith([{ name: 'p', match, keep: { last: 1 } }]);
  const plan = planRetention({ snapshots: [snapshot], disks, config, now: NOW });
  return plan.decisions[0]?.policy === 'p';
}

const known = (...ids: string[]): DiskInventory => ({ kind: 'known', diskIds: new Set(ids) });

interface SelectorCase {
  readonly name: string;
  readonly match: object;
  readonly snapshot: Partial<Snapshot>;
  readonly disks?: DiskInventory;
  readonly fits: boolean;
}

const SELECTOR_CASES: readonly SelectorCase[] = [
  { name: 'auto fits auto', match: { snapshotType: 'auto' }, snapshot: {}, fits: true },
  {
    name: 'auto fits timer',
    match: { snapshotType: 'auto' },
    snapshot: { snapshotType: 'timer' },
    fits: true,
  },
  {
    name: 'auto does not fit user',
    match: { snapshotType: 'auto' },
    snapshot: { snapshotType: 'user' },
    fits: false,
  },
  {
    name: 'user does not fit timer',
    match: { snapshotType: 'user' },
    snapshot: { snapshotType: 'timer' },
    fits: false,
  },
  {
    name: 'all fits user',
    match: { snapshotType: 'all' },
    snapshot: { snapshotType: 'user' },
    fits: true,
  },
  {
    name: 'a tag with its exact value fits',
    match: { tags: { env: 'ci' } },
    snapshot: {},
    fits: true,
  },
  {
    name: 'a tag value differing in case does not fit',
    match: { tags: { env: 'ci' } },
    snapshot: { tags: [{ key: 'env', value: 'CI' }] },
    fits: false,
  },
  {
    name: 'a tag key with spaces does not fit',
    match: { tags: { env: 'ci' } },
    snapshot: { tags: [{ key: 'env ', value: 'ci' }] },
    fits: false,
  },
  {
    name: 'the value * fits any value of the key',
    match: { tags: { env: '*' } },
    snapshot: { tags: [{ key: 'env', value: 'prod' }] },
    fits: true,
  },
  {
    name: 'the value * needs the key',
    match: { tags: { env: '*' } },
    snapshot: { tags: [{ key: 'team', value: 'web' }] },
    fits: false,
  },
  {
    name: 'every tag asked for must fit',
    match: { tags: { env: 'ci', team: 'web' } },
    snapshot: {},
    fits: false,
  },
  { name: 'a listed disk fits', match: { diskIds: ['d-9', 'd-1'] }, snapshot: {}, fits: true },
  { name: 'an unlisted disk does not fit', match: { diskIds: ['d-9'] }, snapshot: {}, fits: false },
  { name: 'a name glob fits', match: { namePattern: 'nightly-*' }, snapshot: {}, fits: true },
  {
    name: 'a name glob is case-sensitive',
    match: { namePattern: 'Nightly-*' },
    snapshot: {},
    fits: false,
  },
  {
    name: 'a name glob is anchored',
    match: { namePattern: 'web' },
    snapshot: {},
    fits: false,
  },
  {
    name: 'a snapshot without a name fits no glob',
    match: { namePattern: '*' },
    snapshot: { snapshotName: null },
    fits: false,
  },
  { name: 'its resource group fits', match: { resourceGroupId: 'rg-1' }, snapshot: {}, fits: true },
  {
    name: 'another resource group does not fit',
    match: { resourceGroupId: 'rg-2' },
    snapshot: {},
    fits: false,
  },
  { name: 'a listed region fits', match: { regions: ['cn-hangzhou'] }, snapshot: {}, fits: true },
  {
    name: 'an unlisted region does not fit',
    match: { regions: ['cn-beijing'] },
    snapshot: {},
    fits: false,
  },
  {
    name: 'orphaned true fits a disk missing from the inventory',
    match: { orphaned: true },
    snapshot: {},
    disks: known('d-2'),
    fits: true,
  },
  {
    name: 'orphaned true does not fit a disk that exists',
    match: { orphaned: true },
    snapshot: {},
    disks: known('d-1'),
    fits: false,
  },
  {
    name: 'orphaned true fits nothing when all disks are assumed to exist',
    match: { orphaned: true },
    snapshot: {},
    fits: false,
  },
  {
    name: 'orphaned false fits a disk that exists',
    match: { orphaned: false },
    snapshot: {},
    disks: known('d-1'),
    fits: true,
  },
  {
    name: 'orphaned false does not fit a released disk',
    match: { orphaned: false },
    snapshot: {},
    disks: known(),
    fits: false,
  },
  {
    name: 'orphaned false fits everything when all disks are assumed to exist',
    match: { orphaned: false },
    snapshot: {},
    fits: true,
  },
  {
    name: 'a listed status fits',
    match: { status: 'failed' },
    snapshot: { status: 'failed' },
    fits: true,
  },
  {
    name: 'an unlisted status does not fit',
    match: { status: ['failed', 'progressing'] },
    snapshot: {},
    fits: false,
  },
  {
    name: 'all keys must fit together',
    match: { snapshotType: 'auto', regions: ['cn-hangzhou'], resourceGroupId: 'rg-2' },
    snapshot: {},
    fits: false,
  },
];

describe('match selectors', () => {
  it.each(SELECTOR_CASES)('$name', ({ match, snapshot, disks, fits }) => {
    expect(governs(match, snap(snapshot), disks)).toBe(fits);
  });
});

describe('policy order', () => {
  const policies = [
    { name: 'ci', match: { tags: { env: 'ci' } }, keep: { last: 5 } },
    { name: 'auto', match: { snapshotType: 'auto' }, keep: { last: 1 } },
  ];

  it('the first matching policy governs', () => {
    const plan = planRetention({
      snapshots: [snap(), snap({ snapshotId: 's-2', tags: [] })],
      disks: ALL_DISKS,
      config: configWith(policies),
      now: NOW,
    });
    expect(plan.decisions.map((d) => d.policy)).toEqual(['ci', 'auto']);
  });

  it('a snapshot no policy matches is kept and says so', () => {
    const plan = planRetention({
      snapshots: [snap({ snapshotType: 'user', tags: [] })],
      disks: ALL_DISKS,
      config: configWith(policies),
      now: NOW,
    });
    expect(plan.decisions[0]).toMatchObject({
      action: 'keep',
      policy: null,
      reasons: ['no policy matched'],
    });
  });
});

describe('globToRegExp', () => {
  it.each([
    { glob: 'ci-*', name: 'ci-123', fits: true },
    { glob: 'ci-*', name: 'ci-', fits: true },
    { glob: 'ci-*', name: 'xci-1', fits: false },
    { glob: 'web-??', name: 'web-01', fits: true },
    { glob: 'web-??', name: 'web-1', fits: false },
    { glob: 'db-[ab]', name: 'db-a', fits: true },
    { glob: 'db-[ab]', name: 'db-c', fits: false },
    { glob: 'db-[!ab]', name: 'db-c', fits: true },
    { glob: 'db-[0-9]', name: 'db-7', fits: true },
    { glob: 'db-[', name: 'db-[', fits: true },
    { glob: 'db-[z-a]', name: 'db-[z-a]', fits: true },
    { glob: 'a.b', name: 'axb', fits: false },
    { glob: '(x)+', name: '(x)+', fits: true },
    { glob: '*', name: 'line\nbreak', fits: true },
  ])('$glob against $name: $fits', ({ glob, name, fits }) => {
    expect(globToRegExp(glob).test(name)).toBe(fits);
  });
});
