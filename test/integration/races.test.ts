import { afterEach, describe, expect, it } from 'vitest';
import type { ReaperContext } from '../../src/app/context';
import { waitForRun, type RunOutcomes } from '../../src/app/drain';
import { startCycle, type CycleStart } from '../../src/app/run-cycle';
import { runOnce, startWorkers, stopWorkers } from '../../src/app/service';
import type { ApiDisk, ApiImage, EmulatorInventory } from '../../src/emulator';
import type { LedgerEntry } from '../../src/queue/ledger';
import { cleanEnv, runCli } from '../support/cli';
import { closeTestEmulators, diskFixture, imageFixture } from '../support/emulator';
import { testRedisUrl } from '../support/redis';
import { agedSnapshot, startWorld, type TestWorld } from '../support/world';

/** Every snapshot of a released disk older than a day has expired. */
const RELEASED = {
  policies: [
    { name: 'released', match: { orphaned: true }, keep: { within: '1d' }, groupBy: 'none' },
  ],
};

/** Three expired snapshots of a released disk, plus whatever uses them. */
function inventory(uses: { images?: ApiImage[]; disks?: ApiDisk[] } = {}): EmulatorInventory {
  return {
    snapshots: ['s-a', 's-b', 's-c'].map((id, index) => agedSnapshot(id, 'd-released', index + 5)),
    disks: uses.disks ?? [],
    images: uses.images ?? [],
  };
}

/** Scans and queues, lets `between` change the emulator, then drains the run. */
async function runChanged(
  ctx: ReaperContext,
  between: () => void,
): Promise<{ start: CycleStart; outcomes: RunOutcomes }> {
  const start = await startCycle(ctx);
  between();
  const workers = await startWorkers(ctx);
  try {
    return { start, outcomes: await waitForRun(ctx, start, { pollMs: 100 }) };
  } finally {
    await stopWorkers(workers, 5_000);
  }
}

/** Polls until `probe` finds something; for events that tests must act on as they happen. */
async function until<T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function entryOf(outcomes: RunOutcomes, snapshotId: string): LedgerEntry | undefined {
  return outcomes.entries.find((entry) => entry.snapshotId === snapshotId);
}

function deleteCallsFor(current: TestWorld, snapshotId: string) {
  return current.emulator.calls.filter(
    (call) => call.action === 'DeleteSnapshot' && call.snapshotId === snapshotId,
  );
}

let world: TestWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
  await closeTestEmulators();
});

describe('changes between planning and deleting', () => {
  it('parks a snapshot an image was made from after planning, without deleting it', async () => {
    world = await startWorld({ inventory: inventory(), config: RELEASED });
    const { emulator } = world;

    const { outcomes } = await runChanged(world.ctx, () =>
      emulator.state.addImage(imageFixture('m-late', 's-b')),
    );

    expect(entryOf(outcomes, 's-b')).toMatchObject({ outcome: 'parked' });
    expect(await world.ctx.deadLetters.get('s-b')).toMatchObject({
      code: 'SnapshotCreatedImage',
      blockingImageIds: ['m-late'],
      source: 'listing',
    });
    expect(deleteCallsFor(world, 's-b')).toEqual([]);
    expect(emulator.state.deleted().map((d) => d.snapshotId)).toEqual(['s-a', 's-c']);
  });

  it('skips a snapshot protected between a failed attempt and its retry', async () => {
    world = await startWorld({
      inventory: inventory(),
      config: { ...RELEASED, deletion: { attempts: 10, backoff: { initial: '100ms' } } },
      // Slow re-reads: the tag is surely set before the retry's re-read is answered.
      emulator: {
        faults: {
          serverErrorRate: 1,
          actions: ['DeleteSnapshot'],
          latencyMs: { DescribeSnapshots: 150 },
        },
      },
    });
    const current = world;
    const start = await startCycle(current.ctx);
    const workers = await startWorkers(current.ctx);

    let outcomes: RunOutcomes;
    try {
      await until(() => deleteCallsFor(current, 's-b').find((call) => call.status >= 500));
      current.emulator.state.setSnapshotTags('s-b', { retain: 'true' });
      current.emulator.setFaults({ latencyMs: { DescribeSnapshots: 150 } });
      outcomes = await waitForRun(current.ctx, start, { pollMs: 100 });
    } finally {
      await stopWorkers(workers, 5_000);
    }

    expect(entryOf(outcomes, 's-b')).toMatchObject({ outcome: 'skipped', code: 'NowKept' });
    expect(entryOf(outcomes, 's-b')?.detail).toContain('protected by retain=true');
    expect(current.emulator.state.hasSnapshot('s-b')).toBe(true);
    expect(deleteCallsFor(current, 's-b').every((call) => call.status >= 500)).toBe(true);
    expect(outcomes.counts).toMatchObject({ deleted: 2, skipped: 1 });
  });

  it('records a snapshot someone else deleted after planning as already gone', async () => {
    world = await startWorld({ inventory: inventory(), config: RELEASED });
    const { emulator } = world;

    const { outcomes } = await runChanged(world.ctx, () => emulator.state.removeSnapshot('s-c'));

    expect(entryOf(outcomes, 's-c')).toMatchObject({ outcome: 'already-gone' });
    expect(deleteCallsFor(world, 's-c')).toEqual([]);
    expect(outcomes.counts).toMatchObject({ deleted: 2, 'already-gone': 1 });
  });
});

describe('changes to the rest of a disk between planning and deleting', () => {
  it('keeps a snapshot that became one of the newest when a newer one was deleted', async () => {
    // `last 2` on a live disk: s-new, s-mid kept; s-old1 and s-old2 planned for deletion.
    const snapshots = [
      agedSnapshot('s-new', 'd-live', 2),
      agedSnapshot('s-mid', 'd-live', 3),
      agedSnapshot('s-old1', 'd-live', 4),
      agedSnapshot('s-old2', 'd-live', 5),
    ];
    world = await startWorld({
      inventory: { snapshots, disks: [diskFixture('d-live')], images: [] },
      config: { policies: [{ name: 'last-two', keep: { last: 2 } }] },
    });
    const { emulator } = world;

    const { outcomes } = await runChanged(world.ctx, () => emulator.state.removeSnapshot('s-new'));

    expect(entryOf(outcomes, 's-old1')).toMatchObject({ outcome: 'skipped' });
    expect(entryOf(outcomes, 's-old2')).toMatchObject({ outcome: 'deleted' });
    expect(emulator.state.hasSnapshot('s-old1')).toBe(true);
  });
});

describe('later runs', () => {
  it('never queues a snapshot twice while an earlier job for it still waits', async () => {
    world = await startWorld({ inventory: inventory(), config: RELEASED });

    const first = await startCycle(world.ctx);
    const second = await startCycle(world.ctx);
    const workers = await startWorkers(world.ctx);
    try {
      await waitForRun(world.ctx, first, { pollMs: 100 });
    } finally {
      await stopWorkers(workers, 5_000);
    }

    expect(first.queued).toHaveLength(3);
    expect(second).toMatchObject({ queued: [], alreadyQueued: first.queued });
    for (const id of ['s-a', 's-b', 's-c']) expect(deleteCallsFor(world, id)).toHaveLength(1);
  });

  it('deletes a parked snapshot once its image is gone, and clear its entry', async () => {
    world = await startWorld({
      inventory: inventory({ images: [imageFixture('m-golden', 's-a')] }),
      config: RELEASED,
    });

    const first = await runOnce(world.ctx, { pollMs: 100 });
    expect(first.outcomes?.counts).toMatchObject({ deleted: 2, parked: 1 });
    world.emulator.state.removeImage('m-golden');
    const second = await runOnce(world.ctx, { pollMs: 100 });

    expect(second.start.requeued).toEqual(['s-a']);
    expect(second.outcomes?.counts).toMatchObject({ deleted: 1, parked: 0 });
    expect(world.emulator.state.snapshots()).toEqual([]);
    expect(await world.ctx.deadLetters.list()).toEqual([]);
  });

  it('deletes a snapshot that an earlier run skipped once it is no longer protected', async () => {
    world = await startWorld({ inventory: inventory(), config: RELEASED });
    const { emulator } = world;

    const first = await runChanged(world.ctx, () =>
      emulator.state.setSnapshotTags('s-a', { retain: 'true' }),
    );
    expect(entryOf(first.outcomes, 's-a')).toMatchObject({ outcome: 'skipped' });
    emulator.state.setSnapshotTags('s-a', {});
    const second = await runOnce(world.ctx, { pollMs: 100 });

    expect(second.start.queued).toEqual(['s-a']);
    expect(entryOf(second.outcomes as RunOutcomes, 's-a')).toMatchObject({ outcome: 'deleted' });
    expect(emulator.state.snapshots()).toEqual([]);
  });

  it('deletes with Force=true a disk-pinned snapshot retried with --force', async () => {
    world = await startWorld({
      inventory: inventory({ disks: [diskFixture('d-restored', { SourceSnapshotId: 's-a' })] }),
      config: RELEASED,
    });
    const current = world;
    await runOnce(current.ctx, { pollMs: 100 });
    expect(await current.ctx.deadLetters.get('s-a')).toMatchObject({
      code: 'SnapshotCreatedDisk',
      blockingDiskIds: ['d-restored'],
    });

    const env = cleanEnv({
      REDIS_URL: testRedisUrl(),
      REAPER_REDIS_PREFIX: current.config.redis.prefix,
    });
    const retried = await runCli(['dead-letters', 'retry', 's-a', '--force'], { env });
    expect(retried).toMatchObject({ code: 0 });
    const workers = await startWorkers(current.ctx);
    try {
      await until(() => current.emulator.state.deleted().find((d) => d.snapshotId === 's-a'));
    } finally {
      await stopWorkers(workers, 5_000);
    }

    const forced = current.emulator.state.deleted().find((d) => d.snapshotId === 's-a');
    expect(forced).toMatchObject({ force: true });
    expect(await current.ctx.deadLetters.list()).toEqual([]);
    const ledger = await until(async () =>
      (await current.ctx.ledger.read()).find(
        (e) => e.snapshotId === 's-a' && e.outcome === 'deleted',
      ),
    );
    expect(ledger.detail).toBe('deleted with Force=true');
  });

  it('keeps one entry for a snapshot parked twice, counting both sightings', async () => {
    world = await startWorld({
      inventory: inventory({ images: [imageFixture('m-golden', 's-a')] }),
      config: RELEASED,
    });

    await runOnce(world.ctx, { pollMs: 100 });
    const [first] = await world.ctx.deadLetters.list();
    await runOnce(world.ctx, { pollMs: 100 });

    const entries = await world.ctx.deadLetters.list();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      snapshotId: 's-a',
      attempts: 2,
      firstSeen: first?.firstSeen,
      blockingImageIds: ['m-golden'],
    });
    const lastSeen = Date.parse(entries[0]?.lastSeen ?? '');
    expect(lastSeen).toBeGreaterThan(Date.parse(first?.lastSeen ?? ''));
  });
});
