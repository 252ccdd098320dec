import { afterEach, describe, expect, it } from 'vitest';
import type { ReaperContext } from '../../src/app/context';
import { waitForRun, type RunOutcomes } from '../../src/app/drain';
import { startCycle, type CycleStart } from '../../src/app/run-cycle';
import { startWorkers, stopWorkers } from '../../src/app/service';
import type { CallRecord, EmulatorFaults, EmulatorInventory } from '../../src/emulator';
import { closeTestEmulators } from '../support/emulator';
import { agedSnapshot, startWorld, type TestWorld } from '../support/world';

/** Every snapshot of a released disk older than a day has expired. */
const RELEASED = {
  policies: [
    { name: 'released', match: { orphaned: true }, keep: { within: '1d' }, groupBy: 'none' },
  ],
};

/** `count` expired snapshots spread over `disks` released disks. */
function releasedInventory(count: number, disks = 1): EmulatorInventory {
  const snapshots = Array.from({ length: count }, (_, index) =>
    agedSnapshot(`s-old${String(index).padStart(3, '0')}`, `d-released${index % disks}`, index + 2),
  );
  return { snapshots, disks: [], images: [] };
}

/** The most calls that fall within any `windowMs` of each other: a sliding window. */
function peakPerWindow(calls: readonly CallRecord[], windowMs: number): number {
  const times = calls.map((call) => call.at).sort((a, b) => a - b);
  let peak = 0;
  let first = 0;
  times.forEach((at, last) => {
    while (at - (times[first] ?? at) >= windowMs) first += 1;
    peak = Math.max(peak, last - first + 1);
  });
  return peak;
}

/** Groups of calls each less than `gapMs` after the one before. */
function episodes(calls: readonly CallRecord[], gapMs: number): number {
  const times = calls.map((call) => call.at).sort((a, b) => a - b);
  return times.filter((at, index) => index === 0 || at - (times[index - 1] ?? at) >= gapMs).length;
}

function callsOf(current: TestWorld, matches: (action: string) => boolean): CallRecord[] {
  return current.emulator.calls.filter((call) => matches(call.action));
}

const isDelete = (action: string) => action === 'DeleteSnapshot';

/**
 * Scans and queues, lets `between` change the world (faults, state), then drains the run with
 * `workers` workers, as that many replicas would.
 */
async function runCycle(
  ctx: ReaperContext,
  options: { workers: number; between?: () => void },
): Promise<{ start: CycleStart; outcomes: RunOutcomes }> {
  const start = await startCycle(ctx);
  options.between?.();

  const workers = await startWorkers(ctx, options.workers);
  try {
    return { start, outcomes: await waitForRun(ctx, start, { pollMs: 100 }) };
  } finally {
    await stopWorkers(workers, 5_000);
  }
}

let world: TestWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
  await closeTestEmulators();
});

describe('a DeleteSnapshot throttling storm', () => {
  const WORKERS = 2;
  const CONCURRENCY = 1;
  const IN_FLIGHT = WORKERS * CONCURRENCY;
  const RATE = 20;
  const QUOTA = RATE / 2;
  const SNAPSHOTS = 50;

  /*
   * The bounds, and what each one rests on.
   *
   * Calls in any sliding second <= QUOTA + 2 × IN_FLIGHT − 1. The emulator admits at most QUOTA
   * calls in any sliding second, so only throttled calls go beyond it. BullMQ's limiter is a
   * fixed window counting job starts, and queue.rateLimit() replaces that window; the worker
   * pauses the whole queue for at least one window (`deletion.rate.per`, or the retry-after if
   * longer). So after a throttled answer the only calls within the second are the other jobs
   * in flight (IN_FLIGHT − 1) and the jobs the other slots started in the instant before the
   * pause landed (IN_FLIGHT − 1 more). The next throttle needs QUOTA fresh admitted calls of a
   * window that began a full window later. With the old pause (`backoff.initial`, 50 ms)
   * fresh windows opened every few tens of ms: peaks of 32 to 34 here.
   *
   * Throttle episodes <= 2: the governor's part. It halves the shared rate at the first
   * throttle (RATE → QUOTA, the first burst is unavoidable: the quota is unknown until then),
   * and once more if a window at QUOTA still trips the sliding quota (two fixed windows can
   * fall within one second); at QUOTA / 2 two windows never exceed the quota, and it climbs
   * back only after 10 calm seconds, longer than this run. Without the governor every window
   * starts RATE jobs and runs into the quota again: one episode per window but the last, at
   * least SNAPSHOTS / QUOTA − 1 = 4.
   */
  it.each([
    { retryAfterMs: undefined, label: 'without a retry-after header' },
    { retryAfterMs: 1_500, label: 'with a retry-after longer than the window' },
  ])(
    'deletes everything without exceeding the quota, $label',
    async ({ retryAfterMs }) => {
      world = await startWorld({
        inventory: releasedInventory(SNAPSHOTS),
        config: {
          ...RELEASED,
          // One attempt: throttling must never use one up.
          deletion: { rate: { max: RATE, per: '1s' }, attempts: 1, concurrency: CONCURRENCY },
        },
        emulator: {
          faults: { quota: { DeleteSnapshot: { max: QUOTA, perMs: 1_000, retryAfterMs } } },
        },
      });

      const { outcomes } = await runCycle(world.ctx, { workers: WORKERS });

      expect(outcomes.counts).toMatchObject({ deleted: SNAPSHOTS, parked: 0, failed: 0 });
      expect(world.emulator.state.snapshots()).toEqual([]);
      const deletes = callsOf(world, isDelete);
      const throttled = deletes.filter((call) => call.code === 'Throttling.User');
      expect(throttled.length).toBeGreaterThan(0);
      expect(peakPerWindow(deletes, 1_000)).toBeLessThanOrEqual(QUOTA + 2 * IN_FLIGHT - 1);
      expect(episodes(throttled, 500)).toBeLessThanOrEqual(2);
    },
    25_000,
  );
});

describe('server errors, timeouts and connection resets', () => {
  const REAL_CODES = ['InternalError', 'ServiceUnavailable', 'RequestTimeout', 'ECONNRESET'];

  it('ends with every expired snapshot deleted or parked, most of them deleted', async () => {
    world = await startWorld({
      inventory: releasedInventory(40, 4),
      config: { ...RELEASED, deletion: { attempts: 8 }, ecs: { timeout: '300ms' } },
    });
    // After the scan, so that faults hit the workers' re-reads and deletes.
    const faults: EmulatorFaults = { serverErrorRate: 0.1, hangRate: 0.1, resetRate: 0.05 };

    const { outcomes } = await runCycle(world.ctx, {
      workers: 2,
      between: () => world?.emulator.setFaults(faults),
    });

    const deleted = world.emulator.state.deleted().map((d) => d.snapshotId);
    const parked = await world.ctx.deadLetters.list();
    expect([...deleted, ...parked.map((p) => p.snapshotId)].sort()).toEqual(
      releasedInventory(40).snapshots.map((s) => s.SnapshotId),
    );
    expect(
      world.emulator.state
        .snapshots()
        .map((s) => s.SnapshotId)
        .sort(),
    ).toEqual(parked.map((p) => p.snapshotId).sort());
    expect(outcomes.counts.failed).toBe(0);
    expect(deleted.length).toBeGreaterThanOrEqual(30);
    for (const entry of parked) expect(REAL_CODES).toContain(entry.code);
    const faulted = world.emulator.calls.filter((call) => call.status === 0 || call.status >= 500);
    expect(faulted.length).toBeGreaterThan(0);
  });

  it.each([
    { fault: { serverErrorRate: 1 }, codes: ['InternalError', 'ServiceUnavailable'] },
    { fault: { hangRate: 1 }, codes: ['RequestTimeout'] },
    { fault: { resetRate: 1 }, codes: ['ECONNRESET'] },
  ])('parks with the code the API last sent ($codes) once attempts run out', async (table) => {
    world = await startWorld({
      inventory: releasedInventory(2),
      config: { ...RELEASED, deletion: { attempts: 3 }, ecs: { timeout: '300ms' } },
      emulator: { faults: { ...table.fault, actions: ['DeleteSnapshot'] } },
    });

    const { outcomes } = await runCycle(world.ctx, { workers: 1 });

    expect(outcomes.counts).toMatchObject({ parked: 2, deleted: 0 });
    const parked = await world.ctx.deadLetters.list();
    expect(parked).toHaveLength(2);
    for (const entry of parked) {
      expect(table.codes).toContain(entry.code);
      expect(entry).toMatchObject({ source: 'api', attempts: 1 });
      const tries = callsOf(world, isDelete).filter((c) => c.snapshotId === entry.snapshotId);
      expect(tries).toHaveLength(3);
    }
    const ledger = await world.ctx.ledger.read();
    expect(ledger.map((entry) => entry.code).sort()).toEqual(parked.map((p) => p.code).sort());
  });
});

describe('Describe calls', () => {
  it('keep to scan.rate, in the scan and in the workers re-reads alike', async () => {
    const max = 10;
    world = await startWorld({
      inventory: releasedInventory(40, 10),
      config: { ...RELEASED, scan: { rate: { max, per: '1s' }, pageSize: 10 } },
    });

    const began = Date.now();
    const { outcomes } = await runCycle(world.ctx, { workers: 2 });
    const seconds = (Date.now() - began) / 1_000;

    expect(outcomes.counts.deleted).toBe(40);
    const describes = callsOf(world, (action) => action.startsWith('Describe'));
    // The gate is a fixed window in Redis: a sliding second can hold the end of one window and
    // the start of the next, never more; over the whole run it averages out to the rate.
    expect(peakPerWindow(describes, 1_000)).toBeLessThanOrEqual(2 * max);
    expect(describes.length).toBeLessThanOrEqual(max * (Math.ceil(seconds) + 1));
    expect(describes.length).toBeGreaterThan(2 * max);
  });
});
