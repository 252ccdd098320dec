import type { EcsPort } from '../ecs/port';
import { planRetention, type Decision, type RetentionConfig } from '../retention';

/**
 * What the worker learns right before an attempt: the snapshot is gone, must now be kept, or
 * may go ahead (possibly in use). The snapshot is judged again among the current snapshots of
 * its disk under the current config, so a protect tag added, a newer snapshot failing, or a
 * config change since planning all count. Judging among fewer snapshots than the scan saw can
 * only keep more, never delete more.
 */
export type Rejudgement =
  | { readonly verdict: 'gone' }
  | { readonly verdict: 'keep'; readonly reasons: readonly string[] }
  | { readonly verdict: 'delete'; readonly decision: Decision }
  | { readonly verdict: 'in-use'; readonly decision: Decision };

export async function rejudge(
  ecs: EcsPort,
  target: { readonly regionId: string; readonly snapshotId: string },
  config: RetentionConfig,
  now: Date,
): Promise<Rejudgement> {
  const [fresh] = await ecs.describeSnapshots(target.regionId, [target.snapshotId]);
  if (!fresh) return { verdict: 'gone' };

  const diskId = fresh.sourceDiskId;
  const group = diskId ? await ecs.describeDiskSnapshots(target.regionId, diskId) : [fresh];
  // The group listing and the re-read are two calls: the re-read, the newer, is judged.
  const snapshots = [...group.filter((s) => s.snapshotId !== fresh.snapshotId), fresh];
  const live = diskId ? await ecs.existingDisks(target.regionId, [diskId]) : new Set<string>();

  const plan = planRetention({
    snapshots,
    disks: { kind: 'known', diskIds: live },
    config,
    now,
  });
  const decision = plan.decisions.find((d) => d.snapshotId === fresh.snapshotId);

  if (!decision || decision.action === 'keep') {
    return { verdict: 'keep', reasons: decision?.reasons ?? ['not found in its group'] };
  }
  return decision.action === 'park'
    ? { verdict: 'in-use', decision }
    : { verdict: 'delete', decision };
}
