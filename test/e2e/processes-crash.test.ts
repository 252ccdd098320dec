import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRedis, type LocalRedis } from '../../src/app/local-redis';
import { startCycle, type CycleStart } from '../../src/app/run-cycle';
import { DELETE_QUEUE } from '../../src/queue/names';
import { closeTestEmulators } from '../support/emulator';
import {
  fleetInventory,
  KEEP_LAST_TWO,
  killHard,
  killReapers,
  startProcessWorld,
  startWorkerProcess,
  waitFor,
  WaitTimeoutError,
  type ProcessWorld,
} from '../support/processes';

/** Short locks so a dead worker's jobs are taken up again within about three seconds. */
const CRASH_SETTINGS = {
  ...KEEP_LAST_TWO,
  deletion: { concurrency: 3, lockDuration: '2s', stalledInterval: '1s', shutdownGrace: '5s' },
};

/** Re-reads and deletes take a while, so a kill always finds jobs in flight. */
const SLOW_API = { faults: { latencyMs: { DeleteSnapshot: 250, DescribeSnapshots: 100 } } };

let world: ProcessWorld | undefined;
let redis: LocalRedis | undefined;
/** The redis-server started again by `outage()`, on the port and folder of `redis`. */
let revived: ChildProcess | undefined;

afterEach(async () => {
  await killReapers();
  await world?.close();
  world = undefined;
  if (revived?.exitCode === null) {
    const exited = new Promise((done) => revived?.once('exit', done));
    revived.kill('SIGKILL');
    await exited;
  }
  revived = undefined;
  await redis?.stop();
  redis = undefined;
  await closeTestEmulators();
});

describe('worker processes that crash', () => {
  it('loses nothing when a worker is SIGKILLed mid-run twice', async () => {
    world = await startProcessWorld({
      inventory: fleetInventory(4, 12),
      config: CRASH_SETTINGS,
      emulator: SLOW_API,
    });
    const start = await startCycle(world.ctx);

    const first = await startWorkerProcess(world);
    await waitForOutcomes(world, start, 5);
    await killHard(first);
    const orphans = await lockedJobs(world);
    expect(orphans.size).toBeGreaterThan(0);

    // The second worker dies while it runs again a job the first one left behind.
    const second = await startWorkerProcess(world);
    await waitFor(async () => (await relocked(world!, orphans)).length > 0, {
      what: 'a job of the killed worker to run again',
      pollMs: 20,
    });
    await killHard(second);

    await startWorkerProcess(world);
    await waitForSettled(world, start);
    await expectPlanCarriedOut(world, start);
  }, 60_000);

  it('loses nothing when Redis restarts (AOF) mid-run', async () => {
    redis = await startLocalRedis({ appendOnly: true });
    world = await startProcessWorld({
      inventory: fleetInventory(4, 12),
      config: CRASH_SETTINGS,
      emulator: SLOW_API,
      redisUrl: redis.url,
    });
    const start = await startCycle(world.ctx);

    await startWorkerProcess(world);
    await startWorkerProcess(world);
    await waitForOutcomes(world, start, 5);
    await redis.restart();

    await waitForSettled(world, start);
    await expectPlanCarriedOut(world, start);
  }, 60_000);

  it('loses nothing when Redis is down longer than a lock, then back with its AOF', async () => {
    redis = await startLocalRedis({ appendOnly: true });
    world = await startProcessWorld({
      inventory: fleetInventory(4, 12),
      config: CRASH_SETTINGS,
      emulator: SLOW_API,
      redisUrl: redis.url,
    });
    const start = await startCycle(world.ctx);

    await startWorkerProcess(world);
    await waitForOutcomes(world, start, 5);
    revived = await outage(redis, 3_000);

    await waitForSettled(world, start);
    await expectPlanCarriedOut(world, start);
  }, 60_000);
});

/** Stops Redis, keeps it down for `outageMs`, then starts it again on its port and AOF. */
async function outage(local: LocalRedis, outageMs: number): Promise<ChildProcess> {
  await local.stop({ keepData: true });
  await new Promise((done) => setTimeout(done, outageMs));

  const server = spawn(
    'redis-server',
    [
      ...['--port', String(local.port), '--bind', '127.0.0.1', '--dir', local.dir],
      ...['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
      ...['--maxmemory-policy', 'noeviction'],
    ],
    { stdio: 'ignore' },
  );
  const probe = new Redis(local.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  await waitFor(async () => (await probe.ping()) === 'PONG', { what: 'Redis back' });
  probe.disconnect();
  return server;
}

async function outcomesOf(world: ProcessWorld, start: CycleStart) {
  const entries = await world.ctx.ledger.read();
  return entries.filter((entry) => entry.runId === start.runId);
}

async function waitForOutcomes(world: ProcessWorld, start: CycleStart, count: number) {
  await waitFor(async () => (await outcomesOf(world, start)).length >= count, {
    what: `${count} outcomes in the ledger`,
  });
}

/** Active jobs and the token of the lock each holds. */
async function lockedJobs(world: ProcessWorld): Promise<Map<string, string>> {
  const locks = new Map<string, string>();
  for (const job of await world.ctx.deleteQueue.getActive()) {
    const token = await world.ctx.redis.get(lockKey(world, job.id ?? ''));
    if (job.id && token) locks.set(job.id, token);
  }
  return locks;
}

/** Jobs of `before` locked again by another worker. */
async function relocked(world: ProcessWorld, before: ReadonlyMap<string, string>) {
  const now = await lockedJobs(world);
  return [...before].filter(([id, token]) => now.has(id) && now.get(id) !== token);
}

function lockKey(world: ProcessWorld, jobId: string): string {
  return `${world.config.redis.prefix}:${DELETE_QUEUE}:${jobId}:lock`;
}

/**
 * Until every queued snapshot has an outcome and no job waits, runs or is delayed; or until
 * the deadline, after which the assertions say what is missing.
 */
async function waitForSettled(world: ProcessWorld, start: CycleStart) {
  const expected = new Set(start.queued);
  await waitFor(
    async () => {
      const done = new Set((await outcomesOf(world, start)).map((entry) => entry.snapshotId));
      const counts = await world.ctx.deleteQueue.getJobCounts('wait', 'active', 'delayed');
      const idle = Object.values(counts).every((count) => count === 0);
      return idle && [...expected].every((id) => done.has(id));
    },
    { what: 'every queued snapshot to have an outcome', timeoutMs: 30_000, pollMs: 200 },
  ).catch((error: unknown) => {
    if (!(error instanceof WaitTimeoutError)) throw error;
  });
}

/**
 * Every planned delete is gone from the API, every planned park sits once in the dead-letter
 * queue, no kept snapshot was deleted, and the ledger holds a fitting outcome for each.
 */
async function expectPlanCarriedOut(world: ProcessWorld, start: CycleStart) {
  const planned = (action: string) =>
    start.plan.decisions.filter((d) => d.action === action).map((d) => d.snapshotId);
  const toDelete = planned('delete').sort();
  const toPark = planned('park').sort();
  expect(toDelete.length).toBeGreaterThan(0);
  expect(toPark.length).toBeGreaterThan(0);

  const deleted = world.emulator.state.deleted().map((d) => d.snapshotId);
  expect([...deleted].sort()).toEqual(toDelete);

  const parked = (await world.ctx.deadLetters.list()).map((entry) => entry.snapshotId);
  expect([...parked].sort()).toEqual(toPark);

  const outcomes = new Map<string, Set<string>>();
  for (const entry of await outcomesOf(world, start)) {
    outcomes.set(
      entry.snapshotId,
      (outcomes.get(entry.snapshotId) ?? new Set()).add(entry.outcome),
    );
  }
  for (const id of toDelete) expect([id, [...(outcomes.get(id) ?? [])]]).toSatisfy(deletedOnly);
  for (const id of toPark) expect([id, [...(outcomes.get(id) ?? [])]]).toEqual([id, ['parked']]);
  expect(await world.ctx.deleteQueue.getFailedCount()).toBe(0);
}

/** A delete ends `deleted`, or `already-gone` when a re-run finds its own earlier delete done. */
function deletedOnly([, found]: [string, string[]]): boolean {
  return (
    found.length > 0 && found.every((outcome) => ['deleted', 'already-gone'].includes(outcome))
  );
}
