import { afterEach, describe, expect, it } from 'vitest';
import { startCycle } from '../../src/app/run-cycle';
import { runOnce, startWorkers, stopWorkers } from '../../src/app/service';
import { EcsError } from '../../src/ecs/errors';
import type { EmulatorInventory } from '../../src/emulator';
import { closeTestEmulators, diskFixture, imageFixture } from '../support/emulator';
import { agedSnapshot, startWorld, type TestWorld } from '../support/world';

const POLICIES = {
  policies: [
    { name: 'released', match: { orphaned: true }, keep: { within: '30d' }, groupBy: 'none' },
    { name: 'default', match: { snapshotType: 'all' }, keep: { last: 3 } },
  ],
};

/**
 * Disk d-live1: nine daily snapshots; `last 3` keeps days 2–4; day 7 is pinned by an image,
 * day 8 carries retain=true. Disk d-live2: day 5 is the source of a disk. Disk d-gone was
 * released: `within 30d` keeps day 10 only.
 */
function cleanupInventory(): EmulatorInventory {
  const live1 = [2, 3, 4, 5, 6, 7, 8, 9].map((day) =>
    agedSnapshot(`s-live1-d${day}`, 'd-live1', day, {
      ...(day === 8 && { Tags: { Tag: [{ TagKey: 'retain', TagValue: 'true' }] } }),
    }),
  );
  const live2 = [2, 3, 4, 5].map((day) =>
    agedSnapshot(`s-live2-d${day}`, 'd-live2', day, { SnapshotType: 'user' }),
  );
  const gone = [10, 40, 50].map((day) => agedSnapshot(`s-gone-d${day}`, 'd-gone', day));

  return {
    snapshots: [...live1, ...live2, ...gone],
    disks: [
      diskFixture('d-live1'),
      diskFixture('d-live2'),
      diskFixture('d-restored', { SourceSnapshotId: 's-live2-d5' }),
    ],
    images: [imageFixture('m-golden', 's-live1-d7')],
  };
}

const EXPECTED_DELETED = ['s-gone-d40', 's-gone-d50', 's-live1-d5', 's-live1-d6', 's-live1-d9'];
const EXPECTED_PARKED = ['s-live1-d7', 's-live2-d5'];

let world: TestWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
  await closeTestEmulators();
});

describe('run --once against the emulator', () => {
  it('deletes exactly the expired snapshots and parks exactly the ones in use', async () => {
    world = await startWorld({ inventory: cleanupInventory(), config: POLICIES });

    const result = await runOnce(world.ctx);

    const deleted = world.emulator.state.deleted().map((d) => d.snapshotId);
    expect(deleted.sort()).toEqual(EXPECTED_DELETED);
    const parked = await world.ctx.deadLetters.list();
    expect(parked.map((p) => p.snapshotId).sort()).toEqual(EXPECTED_PARKED);
    expect(parked.find((p) => p.snapshotId === 's-live1-d7')).toMatchObject({
      code: 'SnapshotCreatedImage',
      blockingImageIds: ['m-golden'],
    });
    expect(parked.find((p) => p.snapshotId === 's-live2-d5')).toMatchObject({
      code: 'SnapshotCreatedDisk',
      blockingDiskIds: ['d-restored'],
    });
    expect(result.outcomes?.counts).toMatchObject({ deleted: 5, parked: 2, failed: 0 });
  });

  it('writes every outcome to the ledger with the API request id', async () => {
    world = await startWorld({ inventory: cleanupInventory(), config: POLICIES });

    await runOnce(world.ctx);

    const entries = await world.ctx.ledger.read();
    const deletions = entries.filter((entry) => entry.outcome === 'deleted');
    expect(deletions).toHaveLength(EXPECTED_DELETED.length);
    for (const entry of deletions) expect(entry.requestId).toMatch(/\S{8,}/);
  });

  it('still deletes everything when the emulator throttles deletes below the configured rate', async () => {
    world = await startWorld({
      inventory: cleanupInventory(),
      config: { ...POLICIES, deletion: { rate: { max: 20, per: '1s' } } },
      emulator: {
        faults: { quota: { DeleteSnapshot: { max: 2, perMs: 1000, retryAfterMs: 300 } } },
      },
    });

    await runOnce(world.ctx);

    const deleted = world.emulator.state.deleted().map((d) => d.snapshotId);
    expect(deleted.sort()).toEqual(EXPECTED_DELETED);
    const throttled = world.emulator.calls.filter((call) => call.code === 'Throttling.User');
    expect(throttled.length).toBeGreaterThan(0);
  });

  it('fails the run on a wrong secret without retrying or deleting', async () => {
    world = await startWorld({
      inventory: cleanupInventory(),
      config: POLICIES,
      accessKey: { id: 'LTAI5tDemoEmulatorOnly', secret: 'not-the-secret' },
    });

    const failure = await runOnce(world.ctx).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(EcsError);
    expect(failure).toMatchObject({ code: 'SignatureDoesNotMatch', outcome: 'fatal' });
    expect(world.emulator.calls).toHaveLength(1);
    expect(world.emulator.state.deleted()).toHaveLength(0);
  });

  it('parks a snapshot whose attempts ran out, then clears the entry once a later run deletes it', async () => {
    world = await startWorld({
      inventory: cleanupInventory(),
      config: { ...POLICIES, deletion: { attempts: 2 } },
      emulator: { faults: { serverErrorRate: 1, actions: ['DeleteSnapshot'] } },
    });

    await runOnce(world.ctx);
    const parked = await world.ctx.deadLetters.list();
    expect(parked.map((p) => p.code)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(InternalError|ServiceUnavailable)$/)]),
    );
    expect(parked).toHaveLength(EXPECTED_DELETED.length + EXPECTED_PARKED.length);

    world.emulator.setFaults({});
    await runOnce(world.ctx);

    const left = (await world.ctx.deadLetters.list()).map((p) => p.snapshotId);
    expect(left.sort()).toEqual(EXPECTED_PARKED);
    expect(
      world.emulator.state
        .deleted()
        .map((d) => d.snapshotId)
        .sort(),
    ).toEqual(EXPECTED_DELETED);
  });

  it('parks, instead of forgetting, a job that fails for a reason outside the ECS answer', async () => {
    world = await startWorld({
      inventory: cleanupInventory(),
      config: { ...POLICIES, deletion: { attempts: 2 } },
    });
    // Deletes fail in our own code, as a bug or a dropped Redis write would.
    const ecs = Object.create(world.ctx.ecs) as typeof world.ctx.ecs;
    ecs.deleteSnapshot = () => Promise.reject(new TypeError('a bug in the worker'));

    const result = await runOnce({ ...world.ctx, ecs });

    expect(result.outcomes?.counts.parked).toBe(EXPECTED_DELETED.length + EXPECTED_PARKED.length);
    const failed = (await world.ctx.deadLetters.list()).filter((p) => p.code === 'JobFailed');
    expect(failed.map((p) => p.snapshotId).sort()).toEqual(EXPECTED_DELETED);
    expect(failed[0]?.message).toContain('a bug in the worker');
  });

  it('finishes the jobs an interrupted earlier run left queued before it reports', async () => {
    world = await startWorld({ inventory: cleanupInventory(), config: POLICIES });
    const interrupted = await startCycle(world.ctx);

    const result = await runOnce(world.ctx);

    expect(result.start.queued).toHaveLength(0);
    expect(result.start.alreadyQueued).toHaveLength(interrupted.queued.length);
    const deleted = world.emulator.state.deleted().map((d) => d.snapshotId);
    expect(deleted.sort()).toEqual(EXPECTED_DELETED);
  });

  it('resumes a queue paused after refused credentials once workers start again', async () => {
    world = await startWorld({ inventory: cleanupInventory(), config: POLICIES });
    await world.ctx.deleteQueue.pause();

    const workers = await startWorkers(world.ctx);
    await stopWorkers(workers, 1_000);

    expect(await world.ctx.deleteQueue.isPaused()).toBe(false);
  });

  it('deletes nothing and queues nothing in dry-run mode', async () => {
    world = await startWorld({
      inventory: cleanupInventory(),
      config: { ...POLICIES, mode: 'dry-run' },
    });

    const result = await runOnce(world.ctx);

    expect(result.outcomes).toBeNull();
    expect(result.start.plan.summary.delete).toBe(EXPECTED_DELETED.length);
    expect(world.emulator.calls.map((call) => call.action)).not.toContain('DeleteSnapshot');
    expect(await world.ctx.deleteQueue.count()).toBe(0);
  });
});
