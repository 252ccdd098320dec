import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRedis, type LocalRedis } from '../../src/app/local-redis';
import { startCycle } from '../../src/app/run-cycle';
import { scanRegions } from '../../src/app/scan';
import type { CallRecord, EmulatorInventory } from '../../src/emulator';
import { planRetention } from '../../src/retention';
import { closeTestEmulators, diskFixture } from '../support/emulator';
import {
  fleetInventory,
  KEEP_LAST_TWO,
  killReapers,
  spawnReaper,
  startProcessWorld,
  startSchedulerProcess,
  startWorkerProcess,
  waitFor,
  type ProcessWorld,
  type ReaperProcess,
} from '../support/processes';
import { agedSnapshot } from '../support/world';

let world: ProcessWorld | undefined;
let redis: LocalRedis | undefined;

afterEach(async () => {
  await killReapers();
  await world?.close();
  world = undefined;
  await redis?.stop();
  redis = undefined;
  await closeTestEmulators();
});

/** One live disk with daily snapshots from day 2 to `lastDay`: all but the two newest go. */
function oneDisk(lastDay: number): EmulatorInventory {
  const days = Array.from({ length: lastDay - 1 }, (_, index) => index + 2);
  return {
    snapshots: days.map((day) => agedSnapshot(`s-day${day}`, 'd-1', day)),
    disks: [diskFixture('d-1')],
    images: [],
  };
}

function deleteCalls(world: ProcessWorld): CallRecord[] {
  return world.emulator.calls.filter((call) => call.action === 'DeleteSnapshot');
}

async function outcomes(world: ProcessWorld, runId: string) {
  return (await world.ctx.ledger.read()).filter((entry) => entry.runId === runId);
}

/** Resolves with how the process ended, or with null after `timeoutMs`. */
async function exitWithin(reaper: ReaperProcess, timeoutMs: number) {
  const timer = new Promise<null>((done) => setTimeout(() => done(null), timeoutMs).unref());
  return Promise.race([reaper.exited, timer]);
}

/** Snapshots that got more than one successful DeleteSnapshot call. */
function deletedTwice(calls: readonly CallRecord[]): string[] {
  const successes = new Map<string, number>();
  for (const call of calls.filter((c) => c.status === 200)) {
    successes.set(call.snapshotId ?? '', (successes.get(call.snapshotId ?? '') ?? 0) + 1);
  }
  return [...successes].filter(([, count]) => count > 1).map(([id]) => id);
}

/** The most calls that fall into any window of `windowMs`. */
function busiestWindow(calls: readonly CallRecord[], windowMs: number): number {
  const times = calls.map((call) => call.at).sort((a, b) => a - b);
  let busiest = 0;
  let first = 0;
  for (let last = 0; last < times.length; last += 1) {
    while ((times[last] ?? 0) - (times[first] ?? 0) >= windowMs) first += 1;
    busiest = Math.max(busiest, last - first + 1);
  }
  return busiest;
}

describe('several worker and scheduler processes on one Redis', () => {
  /** The shared limit in jobs started per second. */
  const RATE = 4;

  it('deletes each expired snapshot once, within the shared rate', async () => {
    world = await startProcessWorld({
      inventory: fleetInventory(3, 12),
      config: {
        ...KEEP_LAST_TWO,
        schedule: '*/2 * * * * *',
        deletion: {
          rate: { max: RATE, per: '1s' },
          concurrency: 3,
          lockDuration: '2s',
          stalledInterval: '1s',
        },
      },
      emulator: { faults: { latencyMs: { DeleteSnapshot: 300 } } },
    });
    const scan = await scanRegions(world.ctx.ecs, world.config, world.ctx.logger);
    const plan = planRetention({ ...scan, config: world.config, now: new Date() });
    const expired = plan.decisions.filter((d) => d.action === 'delete').map((d) => d.snapshotId);

    await Promise.all([
      startSchedulerProcess(world),
      startSchedulerProcess(world),
      startWorkerProcess(world),
      startWorkerProcess(world),
    ]);
    await waitFor(() => world!.emulator.state.deleted().length >= expired.length, {
      what: `${expired.length} snapshots deleted`,
      timeoutMs: 40_000,
      pollMs: 200,
    });

    const deleted = world.emulator.state.deleted().map((d) => d.snapshotId);
    expect(deleted.sort()).toEqual([...expired].sort());
    const calls = deleteCalls(world);
    expect(deletedTwice(calls)).toEqual([]);

    // BullMQ's limiter lets RATE jobs start in a fixed window that opens at the first start,
    // so the busiest second may hold the tail of one window and the head of the next. With a
    // backlog, a window's jobs start at its opening, but each call reaches the API after a
    // re-read of varying length, and a whole window's calls can come late (measured: up to
    // RATE + 3). So one second may see up to one extra window (2 x RATE), while over the run
    // the pace is RATE per second: a limiter per worker would double it.
    expect(busiestWindow(calls, 1_000)).toBeLessThanOrEqual(2 * RATE);
    const spanSeconds = Math.ceil(((calls.at(-1)?.at ?? 0) - (calls[0]?.at ?? 0)) / 1_000);
    expect(calls.length).toBeLessThanOrEqual(RATE * (spanSeconds + 1));
  }, 60_000);
});

describe('a worker process told to stop', () => {
  const LATENCY_MS = 1_000;
  const GRACE_MS = 5_000;

  it('finishes its jobs in flight, takes no new one and exits 0 on SIGTERM', async () => {
    world = await startProcessWorld({
      inventory: oneDisk(9),
      config: {
        ...KEEP_LAST_TWO,
        deletion: { concurrency: 2, shutdownGrace: `${GRACE_MS}ms` },
      },
      emulator: { faults: { latencyMs: { DeleteSnapshot: LATENCY_MS } } },
    });
    const start = await startCycle(world.ctx);
    expect(start.queued).toHaveLength(6);

    const worker = await startWorkerProcess(world);
    await waitFor(async () => (await world!.ctx.deleteQueue.getActiveCount()) === 2, {
      what: 'two jobs in flight',
    });
    const inFlight = (await world.ctx.deleteQueue.getActive()).map((job) => job.data.snapshotId);
    const signalAt = Date.now();
    worker.child.kill('SIGTERM');

    const exit = await exitWithin(worker, GRACE_MS + 5_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalAt).toBeLessThan(GRACE_MS);
    expect(worker.stderr()).toContain('stopping: letting jobs in flight finish');

    const done = await outcomes(world, start.runId);
    expect(done.map((entry) => [entry.snapshotId, entry.outcome]).sort()).toEqual(
      inFlight.map((id) => [id, 'deleted']).sort(),
    );
    // A call is logged when answered, LATENCY_MS after it arrived. A job in flight may still
    // be re-reading at the signal; a job taken after one of those finished would arrive at
    // least about LATENCY_MS after the signal.
    const calls = deleteCalls(world);
    expect(calls.map((call) => call.snapshotId).sort()).toEqual([...inFlight].sort());
    for (const call of calls) expect(call.at - LATENCY_MS).toBeLessThan(signalAt + LATENCY_MS / 2);
    expect(await world.ctx.deleteQueue.getWaitingCount()).toBe(4);
  }, 60_000);
});

describe('run --once when Redis goes away', () => {
  it('exits 1 saying Redis was lost instead of hanging', async () => {
    redis = await startLocalRedis();
    world = await startProcessWorld({
      inventory: oneDisk(21),
      config: { ...KEEP_LAST_TWO, deletion: { concurrency: 2 } },
      emulator: { faults: { latencyMs: { DeleteSnapshot: 500 } } },
      redisUrl: redis.url,
    });

    const run = spawnReaper(['run', '--once', '--config', world.configPath], world.env);
    await waitFor(async () => (await world!.ctx.ledger.read()).length >= 2, {
      what: 'the run to delete its first snapshots',
    });
    await redis.stop();

    // Five seconds of patience for a Redis restart, then a bounded shutdown.
    const exit = await exitWithin(run, 20_000);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(run.stderr()).toContain(
      `error [REDIS_LOST]: lost the connection to Redis at ${redis.url}`,
    );
  }, 60_000);
});
