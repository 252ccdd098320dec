import { RedisLostError } from '../queue/connection';
import type { LedgerEntry } from '../queue/ledger';
import type { DeleteOutcome } from '../queue/names';
import type { ReaperContext } from './context';
import type { CycleStart } from './run-cycle';

export type OutcomeCounts = Readonly<Record<DeleteOutcome, number>>;

export interface RunOutcomes {
  readonly counts: OutcomeCounts;
  /** GiB of snapshots the API confirmed deleted in this run. */
  readonly reclaimedGiB: number;
  readonly entries: readonly LedgerEntry[];
}

/** The run stopped because ECS refused our credentials; the queue is paused. */
export class RunFailedError extends Error {
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(`the run failed: ${code}: ${detail}`);
    this.name = 'RunFailedError';
  }
}

export interface DrainOptions {
  readonly pollMs?: number;
  /** How long Redis may stay unreachable (a restart, a failover) before the run is lost. */
  readonly redisLostAfterMs?: number;
  readonly onProgress?: (done: number, total: number, counts: OutcomeCounts) => void;
}

/**
 * Waits until every job this run queued has an outcome in the ledger and, when the run found
 * jobs of an earlier run still queued (an interrupted run, say), until those are done too:
 * otherwise a `run --once` on a cron would never finish them. Outcomes come from the ledger
 * only, so what is reported is what the API confirmed.
 */
export async function waitForRun(
  ctx: ReaperContext,
  start: CycleStart,
  options: DrainOptions = {},
): Promise<RunOutcomes> {
  const total = start.queued.length;
  const unreachable = { since: 0 };
  for (;;) {
    const outcomes = await readOutcomesPatiently(ctx, start, options, unreachable);
    if (!outcomes) {
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
      continue;
    }
    const done = outcomes.entries.length;
    options.onProgress?.(done, total, outcomes.counts);

    const failed = outcomes.entries.find((entry) => entry.outcome === 'failed');
    if (failed) throw new RunFailedError(failed.code ?? 'Failed', failed.detail ?? '');
    if (done >= total && (await earlierJobsDone(ctx, start))) return outcomes;

    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

async function earlierJobsDone(ctx: ReaperContext, start: CycleStart): Promise<boolean> {
  if (start.alreadyQueued.length === 0) return true;
  const counts = await ctx.deleteQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return Object.values(counts).every((count) => count === 0);
}

/**
 * Null while Redis is briefly unreachable; throws RedisLostError once it has been so for
 * longer than `redisLostAfterMs`, rather than polling a dead Redis forever.
 */
async function readOutcomesPatiently(
  ctx: ReaperContext,
  start: CycleStart,
  options: DrainOptions,
  unreachable: { since: number },
): Promise<RunOutcomes | null> {
  try {
    const outcomes = await readOutcomes(ctx, start);
    unreachable.since = 0;
    return outcomes;
  } catch (error) {
    const now = Date.now();
    unreachable.since ||= now;
    const downForMs = now - unreachable.since;
    if (downForMs < (options.redisLostAfterMs ?? 5_000)) return null;
    throw new RedisLostError(ctx.config.redis.url, downForMs, error);
  }
}

export async function readOutcomes(ctx: ReaperContext, start: CycleStart): Promise<RunOutcomes> {
  const entries = await ctx.ledger.read({ sinceMs: start.startedAt.getTime() });
  const latest = new Map<string, LedgerEntry>();
  for (const entry of entries) {
    if (entry.runId === start.runId) latest.set(`${entry.regionId}/${entry.snapshotId}`, entry);
  }
  return summarize([...latest.values()]);
}

export function summarize(entries: readonly LedgerEntry[]): RunOutcomes {
  const counts: Record<DeleteOutcome, number> = {
    deleted: 0,
    'already-gone': 0,
    skipped: 0,
    parked: 0,
    failed: 0,
  };
  let reclaimedGiB = 0;
  for (const entry of entries) {
    counts[entry.outcome] += 1;
    if (entry.outcome === 'deleted') reclaimedGiB += entry.sizeGiB ?? 0;
  }
  return { counts, reclaimedGiB, entries };
}
