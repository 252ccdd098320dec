import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../../src/config/defaults';
import { deepMerge, validateConfig } from '../../src/config/load';
import { planRetention, type Snapshot } from '../../src/retention';

/**
 * Cross-checks the keep rules against restic's `forget`: each fixture is one inventory, one
 * policy and the set restic keeps (adapted, and said so in the note, where DESIGN.md section 3
 * departs from restic on purpose). Everything else is switched off so only the rule decides:
 * no minimum age, no newest-per-disk floor, no protect tags, one group.
 */

interface ResticFixture {
  readonly name: string;
  readonly source: string;
  readonly timezone: string;
  readonly now: string;
  readonly keep: Readonly<Record<string, number | string>>;
  readonly snapshots: readonly { readonly time: string; readonly id: string }[];
  readonly expectKeep: readonly string[];
  readonly note: string;
}

const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'restic');
const DISK_ID = 'd-restic';

const fixtures: readonly (readonly [string, ResticFixture])[] = readdirSync(FIXTURE_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => [file, JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8'))]);

function onePolicyConfig(fixture: ResticFixture) {
  const tree = deepMerge(CONFIG_DEFAULTS, {
    timezone: fixture.timezone,
    safety: {
      minAge: '0h',
      keepNewestPerDisk: 0,
      maxDeletionsPerRun: 1_000_000,
      maxDeletionFraction: 1,
      protectTags: [],
    },
    policies: [
      { name: 'restic', match: { snapshotType: 'all' }, keep: fixture.keep, groupBy: 'none' },
    ],
  });
  return validateConfig(tree, fixture.name);
}

function snapshotOf(entry: ResticFixture['snapshots'][number]): Snapshot {
  return {
    snapshotId: entry.id,
    regionId: 'cn-hangzhou',
    snapshotName: null,
    sourceDiskId: DISK_ID,
    sourceDiskSize: '40',
    creationTime: entry.time,
    status: 'accomplished',
    snapshotType: 'user',
    usage: 'none',
    resourceGroupId: null,
    tags: [],
  };
}

describe('restic forget cross-check fixtures', () => {
  it('has at least 20 fixtures, each with a source and a note', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
    for (const [, fixture] of fixtures) {
      expect(fixture.source.length).toBeGreaterThan(0);
      expect(fixture.note.length).toBeGreaterThan(0);
    }
  });

  it.each(fixtures)('%s expects only snapshots it lists, each id once', (_file, fixture) => {
    const ids = fixture.snapshots.map((entry) => entry.id);

    expect(new Set(ids).size).toBe(ids.length);
    for (const id of fixture.expectKeep) expect(ids).toContain(id);
  });
});

describe('planRetention keeps what restic keeps', () => {
  it.each(fixtures)('%s', (_file, fixture) => {
    const plan = planRetention({
      snapshots: fixture.snapshots.map(snapshotOf),
      disks: { kind: 'known', diskIds: new Set([DISK_ID]) },
      config: onePolicyConfig(fixture),
      now: new Date(fixture.now),
    });

    const kept = plan.decisions.filter((decision) => decision.action === 'keep');
    expect(plan.decisions).toHaveLength(fixture.snapshots.length);
    expect(kept.map((decision) => decision.snapshotId).sort()).toEqual(
      [...fixture.expectKeep].sort(),
    );
  });
});
