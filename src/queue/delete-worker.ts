import { Queue, RateLimitError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema';
import { EcsError } from '../ecs/errors';
import type { EcsPort } from '../ecs/port';
import { connectionErrorLogger, type Logger } from '../observability/logger';
import { retryDelayMs } from './backoff';
import type { DeadLetters } from './dead-letters';
import type { Ledger, LedgerRecord } from './ledger';
import { DELETE_QUEUE, type DeleteJobData, type DeleteOutcome } from './names';
import type { RateGovernor } from './rate-governor';
import { rejudge } from './rejudge';

export interface DeleteWorkerDeps {
  readonly ecs: EcsPort;
  readonly config: Config;
  readonly ledger: Ledger;
  readonly deadLetters: DeadLetters;
  /** The delete queue itself: throttling backs off all of it, a fatal error pauses it. */
  readonly deleteQueue: Queue;
  readonly logger: Logger;
  /** Adapts the shared delete rate to throttling; absent, the configured rate stays fixed. */
  readonly governor?: RateGovernor;
  readonly clock?: () => Date;
}

/** Throttled starts of one job before it is parked rather than tried yet again. */
const MAX_THROTTLED_STARTS = 50;

/**
 * Ends a job whose outcome is already in the ledger (parked after too many throttled starts,
 * or stopped on refused credentials). BullMQ sees an UnrecoverableError and retries nothing.
 */
class SettledError extends UnrecoverableError {}

/** Starts a worker on the delete queue with the shared rate limit and jittered retries. */
export function startDeleteWorker(deps: DeleteWorkerDeps, connection: Redis): Worker {
  const { config } = deps;
  const worker = new Worker<DeleteJobData, DeleteOutcome>(DELETE_QUEUE, deleteProcessor(deps), {
    connection,
    prefix: config.redis.prefix,
    concurrency: config.deletion.concurrency,
    // Every worker carries the limit too: a worker without one would ignore the shared limit.
    limiter: { max: config.deletion.rate.max, duration: config.deletion.rate.per },
    maxStartedAttempts: MAX_THROTTLED_STARTS + config.deletion.attempts + 5,
    lockDuration: config.deletion.lockDuration,
    stalledInterval: config.deletion.stalledInterval,
    maxStalledCount: 10, // a re-run re-reads first, so a job may outlive many worker crashes
    settings: {
      backoffStrategy: (attemptsMade: number) =>
        retryDelayMs(attemptsMade, config.deletion.backoff),
    },
  });
  worker.on('error', connectionErrorLogger(deps.logger, 'worker error'));
  worker.on('failed', (job, error) => void parkUnsettled(deps, job, error));
  return worker;
}

/**
 * A job can end without our processor having the last word: BullMQ fails it after too many
 * stalls or starts, and an error outside the ECS call (Redis, a bug) fails it once its
 * attempts run out. Such a snapshot is parked here so that it is not silently forgotten.
 */
async function parkUnsettled(deps: DeleteWorkerDeps, job: Job | undefined, error: Error) {
  if (!job?.finishedOn || error instanceof SettledError) return;

  const data = job.data as DeleteJobData;
  const log = deps.logger.child({ runId: data.runId, snapshotId: data.snapshotId });
  try {
    await park(job, deps, log, {
      code: 'JobFailed',
      message: error.message,
      requestId: null,
      blockingImageIds: [],
      blockingDiskIds: [],
      source: 'api',
    });
  } catch (parkError) {
    log.error({ err: parkError }, 'could not park failed job');
  }
}

/** The processor: re-judge, then delete, park or skip; every ending is written to the ledger. */
export function deleteProcessor(deps: DeleteWorkerDeps) {
  return async (job: Job<DeleteJobData, DeleteOutcome>): Promise<DeleteOutcome> => {
    const log = deps.logger.child({
      runId: job.data.runId,
      snapshotId: job.data.snapshotId,
      regionId: job.data.regionId,
    });
    try {
      return await attempt(job, deps, log);
    } catch (thrown) {
      return handleFailure(job, thrown, deps, log);
    }
  };
}

async function attempt(job: Job<DeleteJobData>, deps: DeleteWorkerDeps, log: Logger) {
  const now = deps.clock?.() ?? new Date();
  const judgement = await rejudge(deps.ecs, job.data, deps.config, now);

  switch (judgement.verdict) {
    case 'gone':
      return finish(deps, job, log, { outcome: 'already-gone', code: 'GoneBeforeDelete' });
    case 'keep':
      return finish(deps, job, log, {
        outcome: 'skipped',
        code: 'NowKept',
        detail: judgement.reasons.join('; '),
      });
    case 'in-use':
      return deleteInUse(job, deps, log, null);
    case 'delete':
      return deleteNow(job, deps, log, false);
  }
}

async function deleteNow(
  job: Job<DeleteJobData>,
  deps: DeleteWorkerDeps,
  log: Logger,
  force: boolean,
): Promise<DeleteOutcome> {
  const { regionId, snapshotId } = job.data;
  const result = await deps.ecs.deleteSnapshot(regionId, snapshotId, { force });
  const raised = await deps.governor?.succeeded();
  if (raised) log.info({ rate: raised }, 'delete rate raised');

  return finish(deps, job, log, {
    outcome: result.alreadyGone ? 'already-gone' : 'deleted',
    requestId: result.requestId,
    detail: force ? 'deleted with Force=true' : null,
  });
}

/**
 * A snapshot in use: images always block it; disks block it unless Force is allowed (by config
 * or by a person's `dead-letters retry --force`). Nothing blocking any more means go ahead.
 */
async function deleteInUse(
  job: Job<DeleteJobData>,
  deps: DeleteWorkerDeps,
  log: Logger,
  refusal: EcsError | null,
): Promise<DeleteOutcome> {
  const { regionId, snapshotId } = job.data;
  const images = await deps.ecs.imagesUsingSnapshot(regionId, snapshotId);
  const disks = await deps.ecs.disksFromSnapshot(regionId, snapshotId);

  const forceAllowed = deps.config.deletion.forceDiskDependents || job.data.force === true;
  if (images.length === 0 && (disks.length === 0 || forceAllowed)) {
    if (refusal === null || disks.length > 0) return deleteNow(job, deps, log, disks.length > 0);
  }

  const code =
    refusal?.code ?? (images.length > 0 ? 'SnapshotCreatedImage' : 'SnapshotCreatedDisk');
  return park(job, deps, log, {
    code,
    message: refusal?.message ?? 'the fresh listing shows the snapshot in use',
    requestId: refusal?.details.requestId ?? null,
    blockingImageIds: images,
    blockingDiskIds: disks,
    source: refusal ? 'api' : 'listing',
  });
}

async function handleFailure(
  job: Job<DeleteJobData>,
  thrown: unknown,
  deps: DeleteWorkerDeps,
  log: Logger,
): Promise<DeleteOutcome> {
  if (thrown instanceof RateLimitError || thrown instanceof UnrecoverableError) throw thrown;
  // Anything but an ECS answer (Redis gone, a bug) is retried by BullMQ and, once attempts
  // run out, parked by the `failed` listener: it says nothing about the snapshot.
  if (!(thrown instanceof EcsError)) throw thrown;
  const error = thrown;

  switch (error.outcome) {
    case 'gone':
      return finish(deps, job, log, {
        outcome: 'already-gone',
        requestId: error.details.requestId,
      });
    case 'in-use':
      return deleteInUse(job, deps, log, error);
    case 'refused':
      return park(job, deps, log, parkFields(error));
    case 'throttled':
      return backOffQueue(job, error, deps, log);
    case 'transient':
      return retryOrPark(job, error, deps, log);
    case 'fatal':
      return stopOnFatal(job, error, deps, log);
  }
}

async function backOffQueue(
  job: Job<DeleteJobData>,
  error: EcsError,
  deps: DeleteWorkerDeps,
  log: Logger,
): Promise<never> {
  if (job.attemptsStarted >= MAX_THROTTLED_STARTS) {
    await park(job, deps, log, parkFields(error));
    throw new SettledError(`throttled ${job.attemptsStarted} times; parked`);
  }
  // Never shorter than one rate window: rateLimit() replaces the limiter's window, and a
  // shorter pause would open a fresh one early and let more starts through than the rate.
  const asked = error.details.retryAfterMs ?? deps.config.deletion.backoff.initial;
  const pauseMs = Math.max(asked, deps.config.deletion.rate.per);
  // Pause first: every moment before the pause lands lets other workers start jobs.
  await deps.deleteQueue.rateLimit(pauseMs);
  const rate = await deps.governor?.throttled();
  log.warn({ code: error.code, pauseMs, rate }, 'throttled, backing off queue');
  throw new RateLimitError();
}

async function retryOrPark(
  job: Job<DeleteJobData>,
  error: EcsError,
  deps: DeleteWorkerDeps,
  log: Logger,
): Promise<DeleteOutcome> {
  const lastAttempt = job.attemptsMade + 1 >= deps.config.deletion.attempts;
  if (lastAttempt) return park(job, deps, log, parkFields(error));

  log.warn({ code: error.code, attempt: job.attemptsMade + 1 }, 'attempt failed, will retry');
  throw error;
}

async function stopOnFatal(
  job: Job<DeleteJobData>,
  error: EcsError,
  deps: DeleteWorkerDeps,
  log: Logger,
): Promise<never> {
  // Every other job would fail the same way: stop taking jobs until a person fixes access.
  await deps.deleteQueue.pause();
  await record(deps, job, {
    outcome: 'failed',
    code: error.code,
    requestId: error.details.requestId,
    detail: error.message,
  });
  log.error(
    { code: error.code, requestId: error.details.requestId },
    'access refused, queue paused',
  );
  throw new SettledError(`${error.code}: ${error.message}`);
}

function parkFields(error: EcsError) {
  return {
    code: error.code,
    message: error.message,
    requestId: error.details.requestId,
    blockingImageIds: [],
    blockingDiskIds: [],
    source: 'api' as const,
  };
}

async function park(
  job: Job<DeleteJobData>,
  deps: DeleteWorkerDeps,
  log: Logger,
  fields: {
    code: string;
    message: string;
    requestId: string | null;
    blockingImageIds: readonly string[];
    blockingDiskIds: readonly string[];
    source: 'listing' | 'api';
  },
): Promise<DeleteOutcome> {
  const { data } = job;
  await deps.deadLetters.park(
    {
      snapshotId: data.snapshotId,
      regionId: data.regionId,
      policy: data.policy,
      sourceDiskId: data.sourceDiskId,
      sizeGiB: data.sizeGiB,
      ...fields,
    },
    deps.clock?.() ?? new Date(),
  );
  const blocking = [...fields.blockingImageIds, ...fields.blockingDiskIds].join(',');
  return finish(deps, job, log, {
    outcome: 'parked',
    code: fields.code,
    requestId: fields.requestId,
    detail: blocking === '' ? fields.message : `blocked by ${blocking}`,
  });
}

type Ending = Pick<LedgerRecord, 'outcome'> & Partial<Omit<LedgerRecord, 'outcome'>>;

async function finish(
  deps: DeleteWorkerDeps,
  job: Job<DeleteJobData>,
  log: Logger,
  ending: Ending,
): Promise<DeleteOutcome> {
  await record(deps, job, ending);
  if (ending.outcome !== 'parked' && ending.outcome !== 'failed') {
    await deps.deadLetters.forget(job.data.regionId, job.data.snapshotId);
  }
  log.info(
    { outcome: ending.outcome, code: ending.code, requestId: ending.requestId },
    'snapshot done',
  );
  return ending.outcome;
}

async function record(deps: DeleteWorkerDeps, job: Job<DeleteJobData>, ending: Ending) {
  const { data } = job;
  await deps.ledger.record({
    runId: data.runId,
    snapshotId: data.snapshotId,
    regionId: data.regionId,
    policy: data.policy,
    sizeGiB: data.sizeGiB,
    code: null,
    requestId: null,
    detail: null,
    ...ending,
  });
}
