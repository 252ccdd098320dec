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
    await stopWorkers(workers, 10_000);
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

  const workers: Worker[] = [];
  for (let index = 0; index < count; index += 1) {
    workers.push(startDeleteWorker({ ...ctx, governor }, await ctx.workerConnection()));
  }
  return workers;
}

/**
 * Lets jobs in flight finish within the grace period. BullMQ's close() never resolves while
 * Redis is unreachable, so it is raced against a timer and forced after it.
 */
export async function stopWorkers(workers: readonly Worker[], graceMs: number): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      const closed = worker.close().then(() => true);
      const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs));
      if (!(await Promise.race([closed, timer]))) await worker.close(true).catch(() => undefined);
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

  const tick = () => {
    if (inFlight) return;
    inFlight = runTick(ctx, onCycle).finally(() => (inFlight = null));
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

async function runTick(ctx: ReaperContext, onCycle: (result: CycleStart | Error) => void) {
  const lockKey = `${ctx.config.redis.prefix}:scheduler-lock`;
  const acquired = await ctx.redis.set(lockKey, process.pid.toString(), 'PX', 600_000, 'NX');
  if (acquired !== 'OK') {
    ctx.logger.info({ lockKey }, 'tick skipped, another replica runs it');
    return;
  }
  try {
    onCycle(await startCycle(ctx));
  } catch (error) {
    onCycle(error instanceof Error ? error : new Error(String(error)));
  } finally {
    await ctx.redis.del(lockKey);
  }
}
