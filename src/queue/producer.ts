import type { JobsOptions, Queue } from 'bullmq';
import type { Config } from '../config/schema';
import type { Decision } from '../retention/types';
import {
  DELETE_BACKOFF_TYPE,
  DELETE_JOB,
  deleteJobId,
  snapshotKey,
  type DeleteJobData,
} from './names';

export interface EnqueueResult {
  /** Jobs this run added. */
  readonly queued: readonly string[];
  /** Snapshots already waiting, delayed or in progress from an earlier run: not added again. */
  readonly alreadyQueued: readonly string[];
}

const CHUNK = 500;

/**
 * One job per snapshot to delete or park. The deduplication id is the snapshot itself, so a
 * snapshot whose job has not finished is never queued twice; once that job finishes the id is
 * free again, and each run's job id is new, so a finished job kept in Redis never swallows a
 * later run's job.
 */
export async function enqueueDecisions(
  queue: Queue,
  decisions: readonly Decision[],
  runId: string,
  config: Config,
  extra: Partial<Pick<DeleteJobData, 'force'>> = {},
): Promise<EnqueueResult> {
  const queued: string[] = [];
  const alreadyQueued: string[] = [];
  const actionable = decisions.filter((d) => d.action === 'delete' || d.action === 'park');

  for (let start = 0; start < actionable.length; start += CHUNK) {
    const chunk = actionable.slice(start, start + CHUNK);
    const jobs = await queue.addBulk(chunk.map((d) => jobFor(d, runId, config, extra)));
    jobs.forEach((job, index) => {
      const decision = chunk[index];
      if (!decision) return;
      const own = job.id === deleteJobId(decision.regionId, decision.snapshotId, runId);
      (own ? queued : alreadyQueued).push(decision.snapshotId);
    });
  }
  return { queued, alreadyQueued };
}

function jobFor(
  decision: Decision,
  runId: string,
  config: Config,
  extra: Partial<Pick<DeleteJobData, 'force'>>,
) {
  const data: DeleteJobData = {
    snapshotId: decision.snapshotId,
    regionId: decision.regionId,
    sourceDiskId: decision.sourceDiskId,
    policy: decision.policy,
    runId,
    planned: decision.action === 'park' ? 'park' : 'delete',
    sizeGiB: decision.sizeGiB,
    creationTime: decision.creationTime,
    ...extra,
  };
  return {
    name: DELETE_JOB,
    data,
    opts: jobOptions(decision, runId, config),
  };
}

function jobOptions(decision: Decision, runId: string, config: Config): JobsOptions {
  return {
    jobId: deleteJobId(decision.regionId, decision.snapshotId, runId),
    deduplication: { id: snapshotKey(decision.regionId, decision.snapshotId) },
    attempts: config.deletion.attempts,
    backoff: { type: DELETE_BACKOFF_TYPE },
    // Bounded history: the ledger is the record; these only feed the dashboard.
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}
