/** Queue names and job ids. BullMQ forbids `:` in custom ids, hence the `__` separators. */

export const DELETE_QUEUE = 'snapshot-delete';
export const DEAD_LETTER_QUEUE = 'snapshot-dead-letters';
export const DELETE_JOB = 'delete-snapshot';
export const PARKED_JOB = 'parked-snapshot';
/** Our own backoff: capped exponential with full jitter (see backoff.ts). */
export const DELETE_BACKOFF_TYPE = 'reaper-jitter';

/** One snapshot, whatever run queues it: the key that keeps it from being queued twice. */
export function snapshotKey(regionId: string, snapshotId: string): string {
  return `${regionId}__${snapshotId}`;
}

/** A job id unique to one run, so a finished job of an earlier run never blocks a new one. */
export function deleteJobId(regionId: string, snapshotId: string, runId: string): string {
  return `${snapshotKey(regionId, snapshotId)}__${runId}`;
}

/** What a delete job carries: enough to re-judge the snapshot and to write the ledger. */
export interface DeleteJobData {
  readonly snapshotId: string;
  readonly regionId: string;
  readonly sourceDiskId: string | null;
  readonly policy: string | null;
  readonly runId: string;
  /** `park` when the listing already showed the snapshot in use. */
  readonly planned: 'delete' | 'park';
  readonly sizeGiB: number | null;
  readonly creationTime: string | null;
  /** Set by `dead-letters retry --force`: send Force=true for disk-only dependents. */
  readonly force?: boolean;
}

/** How a delete job ended; the job's return value and the ledger entry agree on it. */
export type DeleteOutcome = 'deleted' | 'already-gone' | 'skipped' | 'parked' | 'failed';
