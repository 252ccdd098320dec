import type { SnapshotFacts } from './facts';
import type { Decision, PlanSummary } from './types';

/** The counts of a plan. `reclaimGiB` counts deletions only: a parked snapshot may stay. */
export function summarise(decisions: readonly Decision[]): PlanSummary {
  const summary = {
    total: 0,
    delete: 0,
    keep: 0,
    park: 0,
    reclaimGiB: 0,
    unreadable: 0,
    stuck: 0,
    orphans: 0,
  };
  for (const item of decisions) {
    summary.total += 1;
    summary[item.action] += 1;
    if (item.action === 'delete') summary.reclaimGiB += item.sizeGiB ?? 0;
    if (item.flags.includes('unreadable')) summary.unreadable += 1;
    if (item.flags.includes('stuck')) summary.stuck += 1;
    if (item.flags.includes('orphan')) summary.orphans += 1;
  }
  return summary;
}

/** Facts an operator should hear about even though the snapshot is kept. */
export function warningsOf(item: SnapshotFacts): string[] {
  const { snapshotId, creationTime } = item.snapshot;
  const warnings: string[] = [];
  if (item.future) {
    warnings.push(`snapshot ${snapshotId} is dated in the future (${creationTime}); kept`);
  }
  if (item.stuck) {
    warnings.push(
      `snapshot ${snapshotId} has been progressing since ${creationTime}, over a day: stuck`,
    );
  }
  return warnings;
}
