import type { Policy } from '../config/schema';
import type { SnapshotFacts } from './facts';
import type { KeepRules } from './keep-rules';
import { protectReasons, safetyReasons, type SafetyRules } from './safety';
import type { SnapshotSelector } from './selectors';
import type { Action, Decision, DecisionFlag } from './types';

/**
 * One snapshot's decision from what the plan worked out: its policy's picks, the safety rules
 * and what the listing says holds it.
 */

export interface CompiledPolicy {
  readonly policy: Policy;
  readonly select: SnapshotSelector;
  readonly rules: KeepRules;
}

/** Everything `decide` needs besides the snapshot itself, by listing position. */
export interface DecisionContext {
  readonly governing: readonly (CompiledPolicy | null)[];
  readonly ruleReasons: readonly (readonly string[] | undefined)[];
  /** Among the newest `keepNewestPerDisk` of a live disk. */
  readonly newestOfDisk: readonly boolean[];
  readonly safety: SafetyRules;
}

/** Keeping wins over parking, and parking over deleting. */
export function decide(item: SnapshotFacts, context: DecisionContext): Decision {
  const compiled = context.governing[item.index] ?? null;
  const protection = protectReasons(item.snapshot.tags, context.safety);
  const reasons = keepReasons(item, compiled, protection, context);
  const flags = flagsOf(item, protection.length > 0);
  if (reasons.length > 0 || compiled === null) {
    return decision(item, 'keep', compiled, reasons, flags);
  }

  const goes =
    item.status === 'failed'
      ? `failed, older than minAge ${context.safety.minAgeText}`
      : `not kept by ${compiled.rules.description}`;
  const holder = usageHolder(item.snapshot.usage);
  if (holder === null) return decision(item, 'delete', compiled, [goes], flags);
  return decision(item, 'park', compiled, [goes, `in use by ${holder} (listing)`], flags);
}

/** The policy's reasons first, then the safety rules'. */
function keepReasons(
  item: SnapshotFacts,
  compiled: CompiledPolicy | null,
  protection: readonly string[],
  context: DecisionContext,
): string[] {
  const reasons = [...policyKeepReasons(item, compiled, context)];
  for (const reason of protection) reasons.push(reason);
  if (context.newestOfDisk[item.index] === true) reasons.push('newest of live disk');
  for (const reason of safetyReasons(item, context.safety)) reasons.push(reason);
  return reasons;
}

function policyKeepReasons(
  item: SnapshotFacts,
  compiled: CompiledPolicy | null,
  context: DecisionContext,
): readonly string[] {
  if (compiled === null) return ['no policy matched'];
  if (item.status === 'failed' && !compiled.policy.deleteFailed) {
    return ['failed, deleteFailed is off'];
  }
  return context.ruleReasons[item.index] ?? [];
}

function decision(
  item: SnapshotFacts,
  action: Action,
  compiled: CompiledPolicy | null,
  reasons: readonly string[],
  flags: readonly DecisionFlag[],
): Decision {
  const { snapshot } = item;
  return {
    snapshotId: snapshot.snapshotId,
    regionId: snapshot.regionId,
    sourceDiskId: snapshot.sourceDiskId,
    creationTime: snapshot.creationTime,
    action,
    policy: compiled?.policy.name ?? null,
    reasons,
    sizeGiB: sizeOf(snapshot.sourceDiskSize),
    usage: snapshot.usage,
    flags,
  };
}

const NO_FLAGS: readonly DecisionFlag[] = Object.freeze([]);

function flagsOf(item: SnapshotFacts, isProtected: boolean): readonly DecisionFlag[] {
  const plain = item.problems.length === 0 && !item.stuck && item.disk !== 'orphan';
  if (plain && !item.future && !isProtected) return NO_FLAGS;

  const flags: DecisionFlag[] = [];
  if (item.problems.length > 0) flags.push('unreadable');
  if (item.stuck) flags.push('stuck');
  if (item.disk === 'orphan') flags.push('orphan');
  if (item.future) flags.push('future');
  if (isProtected) flags.push('protected');
  return flags;
}

/** What holds a snapshot according to the listing; null when nothing does. */
function usageHolder(usage: string | null): string | null {
  if (usage === null || usage === '' || usage === 'none') return null;
  return usage === 'image_disk' ? 'image and disk' : usage;
}

function sizeOf(text: string | null): number | null {
  const size = text === null || text.trim() === '' ? Number.NaN : Number(text);
  return Number.isFinite(size) && size >= 0 ? size : null;
}
