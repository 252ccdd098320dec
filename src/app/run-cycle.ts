import { randomBytes } from 'node:crypto';
import { planRetention } from '../retention';
import type { Decision, Plan } from '../retention/types';
import type { DeadLetter } from '../queue/dead-letters';
import { enqueueDecisions } from '../queue/producer';
import type { ReaperContext } from './context';
import { scanRegions, type ScanResult } from './scan';

/** The plan tripped a safety guard: nothing was queued. */
export class GuardRefusedError extends Error {
  constructor(
    readonly code: string,
    reason: string,
    readonly plan: Plan,
  ) {
    super(
      `${code}: ${reason}. Nothing was queued. Raise the limit in safety (config) if this is intended.`,
    );
    this.name = 'GuardRefusedError';
  }
}

export interface CycleStart {
  readonly runId: string;
  readonly startedAt: Date;
  readonly mode: 'dry-run' | 'enforce';
  readonly scan: Pick<ScanResult, 'perRegion' | 'unidentified'>;
  readonly plan: Plan;
  /** Snapshot ids queued by this run (none in dry-run). */
  readonly queued: readonly string[];
  readonly alreadyQueued: readonly string[];
  /** Parked snapshots whose blocker is gone, queued again by this run. */
  readonly requeued: readonly string[];
}

export interface CycleHooks {
  readonly onScanProgress?: (regionId: string, listed: number) => void;
}

/** A run id that sorts by time and is unique across replicas. */
export function newRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Scan, plan, guard, and (in enforce mode) queue one job per snapshot to delete or park. */
export async function startCycle(ctx: ReaperContext, hooks: CycleHooks = {}): Promise<CycleStart> {
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const log = ctx.logger.child({ runId });
  log.info({ mode: ctx.config.mode, regions: ctx.config.regions }, 'run started');

  const scan = await scanRegions(ctx.ecs, ctx.config, log, hooks.onScanProgress);
  const plan = planRetention({ ...scan, config: ctx.config, now: startedAt });
  log.info({ ...plan.summary }, 'plan made');

  if (!plan.guard.ok) {
    log.error({ code: plan.guard.code, reason: plan.guard.reason }, 'guard refused run');
    throw new GuardRefusedError(plan.guard.code ?? 'GUARD', plan.guard.reason ?? '', plan);
  }

  const base = { runId, startedAt, mode: ctx.config.mode, scan, plan };
  if (ctx.config.mode === 'dry-run') {
    return { ...base, queued: [], alreadyQueued: [], requeued: [] };
  }

  // A queue paused after a credentials failure resumes once a run gets this far again.
  await ctx.deleteQueue.resume();
  const requeued = await requeueUnblocked(ctx, runId);
  // A requeued snapshot already has this run's job id: adding it again would count it twice.
  const rest = plan.decisions.filter((decision) => !requeued.includes(decision.snapshotId));
  const result = await enqueueDecisions(ctx.deleteQueue, rest, runId, ctx.config);
  log.info({ queued: result.queued.length, already: result.alreadyQueued.length }, 'jobs queued');
  return { ...base, ...result, queued: [...result.queued, ...requeued], requeued };
}

/** Parked snapshots whose image or disk is gone go back on the queue by themselves. */
async function requeueUnblocked(ctx: ReaperContext, runId: string): Promise<string[]> {
  const requeued: string[] = [];
  for (const entry of await ctx.deadLetters.list()) {
    if (!isDependencyCode(entry.code)) continue;
    if (await stillBlocked(ctx, entry)) continue;

    await ctx.deadLetters.remove(`${entry.regionId}__${entry.snapshotId}`);
    const result = await enqueueDecisions(
      ctx.deleteQueue,
      [redecide(entry, 'blocker gone; queued again from the dead-letter queue')],
      runId,
      ctx.config,
    );
    requeued.push(...result.queued);
  }
  return requeued;
}

function isDependencyCode(code: string): boolean {
  return code === 'SnapshotCreatedImage' || code === 'SnapshotCreatedDisk';
}

async function stillBlocked(ctx: ReaperContext, entry: DeadLetter): Promise<boolean> {
  const images = await ctx.ecs.imagesUsingSnapshot(entry.regionId, entry.snapshotId);
  if (images.length > 0) return true;
  const disks = await ctx.ecs.disksFromSnapshot(entry.regionId, entry.snapshotId);
  return disks.length > 0;
}

/** A parked snapshot as a decision to delete, for queuing it again; `reason` says why. */
export function redecide(entry: DeadLetter, reason: string): Decision {
  return {
    snapshotId: entry.snapshotId,
    regionId: entry.regionId,
    sourceDiskId: entry.sourceDiskId,
    creationTime: null,
    action: 'delete',
    policy: entry.policy,
    reasons: [reason],
    sizeGiB: entry.sizeGiB,
    usage: null,
    flags: [],
  };
}
