import type { Decision } from '../retention/types';
import type { RunOutcomes } from './drain';
import type { CycleStart } from './run-cycle';

/** The end-of-run summary an operator reads: what was deleted, kept and parked, and why. */
export function renderRunReport(
  start: CycleStart,
  outcomes: RunOutcomes | null,
  reviewCommand = 'snapshot-reaper dead-letters list',
): string {
  const { plan } = start;
  const listed = Object.entries(start.scan.perRegion)
    .map(([region, count]) => `${region} ${count}`)
    .join(', ');

  const lines = [
    `run ${start.runId} (${start.mode}): listed ${plan.summary.total} snapshots (${listed})`,
    `  plan     delete ${plan.summary.delete}, park ${plan.summary.park}, keep ${plan.summary.keep}` +
      ` (${formatGiB(plan.summary.reclaimGiB)} to reclaim)`,
    ...keptLines(plan.decisions),
    ...attentionLines(start),
  ];

  if (outcomes === null) {
    lines.push('  dry-run: nothing was queued or deleted. Set mode: enforce to delete.');
    return lines.join('\n');
  }

  lines.push(...outcomeLines(start, outcomes, reviewCommand));
  return lines.join('\n');
}

function outcomeLines(start: CycleStart, outcomes: RunOutcomes, reviewCommand: string): string[] {
  const { counts } = outcomes;
  const lines = [
    `  queued   ${start.queued.length}` +
      (start.alreadyQueued.length ? ` (+${start.alreadyQueued.length} already queued)` : '') +
      (start.requeued.length ? ` (${start.requeued.length} back from dead letters)` : ''),
    `  deleted  ${counts.deleted} (${formatGiB(outcomes.reclaimedGiB)} reclaimed)`,
  ];
  if (counts['already-gone']) lines.push(`  gone     ${counts['already-gone']} (already deleted)`);
  if (counts.skipped) lines.push(`  skipped  ${counts.skipped} (${skipReasons(outcomes)})`);
  lines.push(`  parked   ${counts.parked}${parkCodes(outcomes)}`);
  if (counts.failed) lines.push(`  failed   ${counts.failed}`);
  if (counts.parked) {
    lines.push(`  parked snapshots wait for review: ${reviewCommand}`);
  }
  return lines;
}

/** Findings that need a person even though nothing failed. */
function attentionLines(start: CycleStart): string[] {
  const { summary, staleDisks } = start.plan;
  const lines: string[] = [];
  if (summary.stuck) lines.push(`  stuck    ${summary.stuck} snapshots progressing for over a day`);
  if (summary.unreadable) {
    lines.push(`  unreadable ${summary.unreadable} snapshots kept: fields could not be read`);
  }
  if (staleDisks.length) {
    const disks = staleDisks.map((disk) => disk.diskId).join(', ');
    lines.push(`  stale    ${staleDisks.length} live disks with no recent snapshot: ${disks}`);
  }
  if (start.scan.unidentified) {
    lines.push(`  skipped  ${start.scan.unidentified} listed items without a SnapshotId`);
  }
  return lines;
}

function keptLines(decisions: readonly Decision[]): string[] {
  const byRule = new Map<string, number>();
  for (const decision of decisions) {
    if (decision.action !== 'keep') continue;
    const rule = ruleOf(decision.reasons[0] ?? 'kept');
    byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
  }
  if (byRule.size === 0) return [];

  const parts = [...byRule.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([rule, count]) => `${rule} ${count}`);
  return [`  kept by  ${parts.join(', ')}`];
}

/** "daily 2026-11-30" and "daily 2026-11-29" are both the daily rule. */
function ruleOf(reason: string): string {
  return reason.replace(/\s+["\d].*$/, '').replace(/=.*$/, '');
}

function skipReasons(outcomes: RunOutcomes): string {
  const reasons = outcomes.entries
    .filter((entry) => entry.outcome === 'skipped')
    .map((entry) => ruleOf(entry.detail ?? entry.code ?? 'now kept'));
  return tally(reasons);
}

function parkCodes(outcomes: RunOutcomes): string {
  const codes = outcomes.entries
    .filter((entry) => entry.outcome === 'parked')
    .map((entry) => entry.code ?? 'unknown');
  return codes.length ? ` (${tally(codes)})` : '';
}

function tally(items: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts.entries()].map(([item, count]) => `${item} ${count}`).join(', ');
}

export function formatGiB(gib: number): string {
  return `${Math.round(gib).toLocaleString('en-US')} GiB`;
}
