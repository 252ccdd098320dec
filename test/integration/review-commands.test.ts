import { afterEach, describe, expect, it } from 'vitest';
import { runOnce } from '../../src/app/service';
import type { EmulatorInventory } from '../../src/emulator';
import type { DeadLetter } from '../../src/queue/dead-letters';
import type { LedgerEntry } from '../../src/queue/ledger';
import type { DeleteJobData } from '../../src/queue/names';
import { cleanEnv, runCli, type CliResult } from '../support/cli';
import { closeTestEmulators, diskFixture, imageFixture } from '../support/emulator';
import { testRedisUrl } from '../support/redis';
import { agedSnapshot, startWorld, type TestWorld } from '../support/world';

/** Every snapshot of a released disk older than a day has expired. */
const RELEASED = {
  policies: [
    { name: 'released', match: { orphaned: true }, keep: { within: '1d' }, groupBy: 'none' },
  ],
};

/** s-a and s-c are pinned by images, s-b by a disk; s-d can go. */
function pinnedInventory(): EmulatorInventory {
  return {
    snapshots: ['s-a', 's-b', 's-c', 's-d'].map((id, n) => agedSnapshot(id, 'd-released', n + 5)),
    disks: [diskFixture('d-restored', { SourceSnapshotId: 's-b' })],
    images: [imageFixture('m-a', 's-a'), imageFixture('m-c', 's-c')],
  };
}

let world: TestWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
  await closeTestEmulators();
});

/** A world after one run: three snapshots parked, one deleted. */
async function parkedWorld(): Promise<TestWorld> {
  world = await startWorld({ inventory: pinnedInventory(), config: RELEASED });
  await runOnce(world.ctx, { pollMs: 100 });
  return world;
}

/** Runs the CLI against this world's Redis prefix. */
function reaper(args: readonly string[]): Promise<CliResult> {
  const prefix = world?.config.redis.prefix ?? '';
  const env = cleanEnv({ REDIS_URL: testRedisUrl(), REAPER_REDIS_PREFIX: prefix });
  return runCli(args, { env });
}

function json<T>(result: CliResult): T {
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout) as T;
}

async function queuedJobs(current: TestWorld): Promise<DeleteJobData[]> {
  const jobs = await current.ctx.deleteQueue.getWaiting();
  return jobs.map((job) => job.data as DeleteJobData);
}

describe('dead-letters', () => {
  it('lists parked snapshots as a table and as JSON, and shows one in full', async () => {
    await parkedWorld();

    const [table, listed, shown, shownTable, missing] = await Promise.all([
      reaper(['dead-letters', 'list']),
      reaper(['dead-letters', 'list', '--output', 'json']),
      reaper(['dead-letters', 'show', 's-b', '--output', 'json']),
      reaper(['dead-letters', 'show', 's-b']),
      reaper(['dead-letters', 'show', 's-zz']),
    ]);

    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SNAPSHOT\s+REGION\s+CODE\s+N\s+LAST SEEN\s+BLOCKED BY$/);
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(/^s-a\s+cn-hangzhou\s+SnapshotCreatedImage\s+1\s+\S+\s+m-a$/),
      expect.stringMatching(/^s-b\s+cn-hangzhou\s+SnapshotCreatedDisk\s+1\s+\S+\s+d-restored$/),
      expect.stringMatching(/^s-c\s+cn-hangzhou\s+SnapshotCreatedImage\s+1\s+\S+\s+m-c$/),
    ]);
    const entries = json<DeadLetter[]>(listed);
    expect(entries.map((e) => e.snapshotId).sort()).toEqual(['s-a', 's-b', 's-c']);
    expect(json<DeadLetter>(shown)).toMatchObject({
      snapshotId: 's-b',
      regionId: 'cn-hangzhou',
      policy: 'released',
      code: 'SnapshotCreatedDisk',
      blockingImageIds: [],
      blockingDiskIds: ['d-restored'],
      attempts: 1,
      source: 'listing',
      firstSeen: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastSeen: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(shownTable.stdout).toMatch(/^code\s+SnapshotCreatedDisk$/m);
    expect(shownTable.stdout).toMatch(/^blockingDiskIds\s+d-restored$/m);
    expect(shownTable.stdout).toMatch(/^requestId\s+-$/m);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no entry for "s-zz"');
  });

  it('refuses --force for a snapshot an image uses, exit 2, and keeps its entry', async () => {
    const current = await parkedWorld();

    const refused = await reaper(['dead-letters', 'retry', 's-a', '--force']);

    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('s-a (SnapshotCreatedImage)');
    expect(refused.stderr).toContain('only SnapshotCreatedDisk');
    expect(await current.ctx.deadLetters.get('s-a')).not.toBeNull();
    expect(await queuedJobs(current)).toEqual([]);
  });

  it('drops one entry, retries one by id, then retries all that are left', async () => {
    const current = await parkedWorld();

    const dropped = await reaper(['dead-letters', 'drop', 's-c']);
    expect(dropped).toMatchObject({ code: 0, stdout: 'dropped 1\n' });
    expect(await current.ctx.deadLetters.get('s-c')).toBeNull();
    expect(current.emulator.state.hasSnapshot('s-c')).toBe(true);

    const one = await reaper(['dead-letters', 'retry', 's-b']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^queued 1 for deletion/);
    expect((await queuedJobs(current)).map((job) => job.snapshotId)).toEqual(['s-b']);

    const all = await reaper(['dead-letters', 'retry', '--all']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^queued 1 for deletion/);
    expect(await current.ctx.deadLetters.list()).toEqual([]);
    const queued = await queuedJobs(current);
    expect(queued.map((job) => job.snapshotId).sort()).toEqual(['s-a', 's-b']);
    expect(queued.every((job) => job.force === undefined)).toBe(true);
  });
});

describe('ledger', () => {
  it('prints outcomes by time and outcome as table or JSON, refusing a bad --since', async () => {
    const current = await parkedWorld();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const between = new Date().toISOString();
    current.emulator.state.removeImage('m-c');
    await runOnce(current.ctx, { pollMs: 100 });

    const [everything, since, parked, table, unreadable] = await Promise.all([
      reaper(['ledger', '--output', 'json']),
      reaper(['ledger', '--since', between, '--output', 'json']),
      reaper(['ledger', '--since', '1h', '--outcome', 'parked', '--output', 'json']),
      reaper(['ledger', '--outcome', 'deleted']),
      reaper(['ledger', '--since', 'yesterday']),
    ]);

    const all = json<LedgerEntry[]>(everything);
    expect(all.map((e) => `${e.snapshotId} ${e.outcome}`)).toEqual(
      expect.arrayContaining(['s-d deleted', 's-a parked', 's-c parked', 's-c deleted']),
    );
    expect(all).toHaveLength(7);
    const later = json<LedgerEntry[]>(since);
    expect(later.map((e) => `${e.snapshotId} ${e.outcome}`).sort()).toEqual([
      's-a parked',
      's-b parked',
      's-c deleted',
    ]);
    expect(json<LedgerEntry[]>(parked).every((e) => e.outcome === 'parked')).toBe(true);
    expect(json<LedgerEntry[]>(parked)).toHaveLength(5);
    const deleted = all.find((e) => e.snapshotId === 's-c' && e.outcome === 'deleted');
    expect(deleted).toMatchObject({ policy: 'released', regionId: 'cn-hangzhou' });
    expect(deleted?.requestId).toMatch(/\S{8,}/);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^TIME\s+OUTCOME\s+SNAPSHOT\s+REGION\s+POLICY\s+CODE\s+REQUEST ID$/);
    expect(rows).toHaveLength(2);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain('--since: found "yesterday"');
    for (const row of rows) {
      expect(row).toMatch(
        /^\d{4}-\d\d-\d\dT\S+\s+deleted\s+s-[cd]\s+cn-hangzhou\s+released\s+-\s+\S+$/,
      );
    }
  });
});
