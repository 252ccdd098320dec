import { ApiError, dryRunPassed } from '../errors';
import type { QueryParams } from '../params';
import type { ActionBody, ActionContext } from './action';

/**
 * DeleteSnapshot: images block deletion whatever `Force` says; disks block it unless
 * `Force=true`. A snapshot still being created may be deleted (that cancels it).
 */
export function deleteSnapshot(params: QueryParams, context: ActionContext): ActionBody {
  const snapshotId = params.required('SnapshotId');
  const force = params.bool('Force');
  const { state } = context;

  if (!state.hasSnapshot(snapshotId)) {
    if (context.unknownSnapshot === 'ignore') return {};
    throw new ApiError(404, 'InvalidSnapshotId.NotFound', 'The specified snapshot is not found.');
  }

  if (state.imagesUsing(snapshotId).length > 0) {
    const message = 'The snapshot has been used to create user defined image(s).';
    throw new ApiError(403, 'SnapshotCreatedImage', message);
  }
  if (!force && state.disksFrom(snapshotId).length > 0) {
    throw new ApiError(403, 'SnapshotCreatedDisk', 'The snapshot has been used to create disk(s).');
  }

  if (context.dryRun) throw dryRunPassed();
  state.recordDeletion(snapshotId, force, context.nowMs);
  return {};
}
