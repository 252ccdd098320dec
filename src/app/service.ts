import type { Worker } from 'bullmq';
import cron from 'node-cron';
import { startDeleteWorker } from '../queue/delete-worker';
import { RateGovernor } from '../queue/rate-governor';
import type { ReaperContext } from './context';
import { waitForRun, type DrainOptions, type RunOutcomes } from './drain';
import { startCycle, type CycleHooks, type CycleStart } from './run-cycle';

export interface OnceResult {
  readonly start: CycleStart;
  /** Null in dry-run mode: nothing was queued. */
  readonly outcomes: RunOutcomes | null;
}

/** One whole cycle with workers in this process: scan, plan, queue, drain, report. */
export async function runOnce(
  ctx: ReaperContext,
  hooks: CycleHooks & DrainOptions = {},
): Promise<OnceResult> {
  const start = await startCycle(ctx, hooks);
  if (start.mode === 'dry-run') return { start, outcomes: null };

  const workers = await startWorkers(ctx);
  try {
    return { start, outcomes: await waitForRun(ctx, start, hooks) };
  } finally {
    // With Redis gone, jobs in flight cannot record an outcome: there is nothing to wait for.
    await stopWorkers(workers, ctx.redis.status === 'ready' ? 10_000 : 0);
  }
}

export async function startWorkers(ctx: ReaperContext, count = 1): Promise<Worker[]> {
  const { config } = ctx;
  const governor = new RateGovernor(
    ctx.deleteQueue,
    ctx.redis,
    config.redis.prefix,
    config.deletion.rate,
  );
  // The shared limit lives in Redis so replicas started with other settings still obey it.
  await governor.apply();
  await resumeAfterRefusal(ctx);

  const workers: Worker[] = [];
  for (let index = 0; index < count; index += 1) {
    workers.push(startDeleteWorker({ ...ctx, governor }, await ctx.workerConnection()));
  }
  return workers;
}

/**
 * A worker that met refused credentials pauses the queue, so that the other jobs do not fail
 * the same way. A worker starting afterwards (with fixed credentials, one hopes) resumes it;
 * if access is still refused, the first job pauses it again: one failed call, not a storm.
 */
async function resumeAfterRefusal(ctx: ReaperContext): Promise<void> {
  if (!(await ctx.deleteQueue.isPaused())) return;
  ctx.logger.warn({}, 'queue was paused after refused access, resuming');
  await ctx.deleteQueue.resume();
}

/**
 * Lets jobs in flight finish within the grace period, then stops waiting. BullMQ's close()
 * never resolves while Redis is unreachable, and a later close(true) only returns that same
 * pending promise, so nothing is awaited past the grace: the caller closes the connections
 * and exits, and jobs cut short are taken up again by other workers once their locks expire.
 */
export async function stopWorkers(workers: readonly Worker[], graceMs: number): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      const closed = worker.close().catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([closed, grace]);
      clearTimeout(timer);
    }),
  );
}

export interface Service {
  stop(graceMs: number): Promise<void>;
}

/**
 * The long-running form: a cron schedule in the configured zone (ticks never overlap, and a
 * Redis lock lets only one replica run a tick) and/or workers.
 */
export async function startService(
  ctx: ReaperContext,
  roles: { readonly scheduler: boolean; readonly workers: boolean },
  onCycle: (result: CycleStart | Error) => void,
): Promise<Service> {
  const workers = roles.workers ? await startWorkers(ctx) : [];
  let inFlight: Promise<void> | null = null;

  const tick = (context: { date: Date }) => {
    if (inFlight) return;
    inFlight = runTick(ctx, context.date, onCycle).finally(() => (inFlight = null));
  };
  const task = roles.scheduler
    ? cron.schedule(ctx.config.schedule, tick, { timezone: ctx.config.timezone, name: 'reaper' })
    : null;

  return {
    async stop(graceMs) {
      await task?.stop();
      await inFlight;
      await stopWorkers(workers, graceMs);
    },
  };
}

/**
 * One tick runs on one replica: the first to claim the tick's slot in Redis runs it. The claim
 * is never released, only left to expire, so a replica whose clock or timer is a little late
 * finds the slot taken instead of running the same tick again.
 */
async function runTick(
  ctx: ReaperContext,
  scheduledAt: Date,
  onCycle: (result: CycleStart | Error) => void,
) {
  const slot = new Date(Math.floor(scheduledAt.getTime() / 1000) * 1000).toISOString();
  const claimKey = `${ctx.config.redis.prefix}:tick:${slot}`;
  const claimed = await ctx.redis.set(claimKey, String(process.pid), 'PX', TICK_CLAIM_MS, 'NX');
  if (claimed !== 'OK') {
    ctx.logger.info({ slot }, 'tick skipped, another replica runs it');
    return;
  }
  try {
    onCycle(await startCycle(ctx));
  } catch (error) {
    onCycle(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Long enough for any clock skew between replicas; short enough to leave no litter. */
const TICK_CLAIM_MS = 10 * 60_000;
