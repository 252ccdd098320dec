import type { SafetyConfig } from '../config/schema';
import type { Decision, GuardResult } from './types';

export type GuardCode = 'GUARD_MAX_DELETIONS' | 'GUARD_MAX_FRACTION';

export type GuardLimits = Pick<SafetyConfig, 'maxDeletionsPerRun' | 'maxDeletionFraction'>;

const PASSED: GuardResult = { ok: true, code: null, reason: null };

/** Absorbs rounding in `fraction × total` (0.57 × 100 is 56.99999…). */
const EPSILON = 1e-9;

interface Tally {
  listed: number;
  removed: number;
}

/**
 * The safety caps over a whole plan. Parked snapshots count as deletions: the worker deletes
 * them once they are free. The fraction is checked per region (a region whose listing came
 * back nearly empty is the usual cause) and over the whole run. A cap of 0 allows no deletion
 * at all; a fraction of 1 never trips.
 */
export function guardPlan(decisions: readonly Decision[], limits: GuardLimits): GuardResult {
  const overall: Tally = { listed: 0, removed: 0 };
  const regions = new Map<string, Tally>();
  for (const decision of decisions) {
    let region = regions.get(decision.regionId);
    if (!region) regions.set(decision.regionId, (region = { listed: 0, removed: 0 }));
    count(region, decision);
    count(overall, decision);
  }

  if (overall.removed > limits.maxDeletionsPerRun) {
    const reason = `planned ${overall.removed} deletions (delete and park), more than maxDeletionsPerRun ${limits.maxDeletionsPerRun}`;
    return { ok: false, code: 'GUARD_MAX_DELETIONS', reason };
  }
  return checkFractions(regions, overall, limits.maxDeletionFraction);
}

function checkFractions(
  regions: ReadonlyMap<string, Tally>,
  overall: Tally,
  maxFraction: number,
): GuardResult {
  const tripped = [...regions.entries()]
    .filter(([, tally]) => exceeds(tally, maxFraction))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([region, tally]) => `${share(tally)} in region ${region}`);
  if (exceeds(overall, maxFraction)) tripped.push(`${share(overall)} over the whole run`);
  if (tripped.length === 0) return PASSED;

  const reason = `planned to remove ${tripped.join('; ')}, more than maxDeletionFraction ${maxFraction}`;
  return { ok: false, code: 'GUARD_MAX_FRACTION', reason };
}

function count(tally: Tally, decision: Decision): void {
  tally.listed += 1;
  if (decision.action !== 'keep') tally.removed += 1;
}

function exceeds(tally: Tally, maxFraction: number): boolean {
  return tally.removed > tally.listed * maxFraction + EPSILON;
}

function share(tally: Tally): string {
  const percent = Math.round((tally.removed / tally.listed) * 1000) / 10;
  return `${tally.removed} of ${tally.listed} snapshots (${percent}%)`;
}
