import type { Policy } from '../config/schema';
import { formatUtc, ZoneClock } from './calendar';
import {
  appendTo,
  isCountable,
  newestFirst,
  readSnapshot,
  type CountableFacts,
  type SnapshotFacts,
} from './facts';
import { guardPlan } from './guard';
import { compileKeepRules, pickKept, type KeepRules } from './keep-rules';
import {
  compileSafetyRules,
  newestOfLiveDisks,
  protectReasons,
  safetyReasons,
  type SafetyRules,
} from './safety';
import { compileSelector, type SnapshotSelector } from './selectors';
import { findStaleDisks } from './stale';
import type { Action, Decision, DecisionFlag, Plan, PlanSummary, RetentionInput } from './types';

interface CompiledPolicy {
  readonly policy: Policy;
  readonly index: number;
  readonly select: SnapshotSelector;
  readonly rules: KeepRules;
}

/** Everything `decide` needs besides the snapshot itself. */
interface DecisionContext {
  readonly governing: readonly (CompiledPolicy | null)[];
  readonly ruleReasons: readonly (readonly string[] | undefined)[];
  /** By listing position: among the newest `keepNewestPerDisk` of a live disk. */
  readonly newestOfDisk: readonly boolean[];
  readonly safety: SafetyRules;
}

/**
 * Decides keep, delete or park for every snapshot, in listing order, with the policy and the
 * reasons, then runs the guards. Pure: `now` is handed in and nothing is read or written.
 */
export function planRetention(input: RetentionInput): Plan {
  const { config, disks } = input;
  const nowMs = input.now.getTime();
  const clock = new ZoneClock(config.timezone);

  const facts = input.snapshots.map((snapshot, index) =>
    readSnapshot(snapshot, index, disks, nowMs),
  );
  const policies = config.policies.map((policy, index) =>
    compilePolicy(policy, index, clock, nowMs),
  );
  const governing = facts.map((item) => policies.find((policy) => policy.select(item)) ?? null);

  const context: DecisionContext = {
    governing,
    ruleReasons: keepByRules(facts, governing, clock),
    newestOfDisk: newestOfLiveDisks(facts, config.safety.keepNewestPerDisk),
    safety: compileSafetyRules(config.safety, clock, nowMs),
  };
  const decisions = facts.map((item) => decide(item, context));

  return {
    now: formatUtc(nowMs),
    summary: summarise(decisions),
    guard: guardPlan(decisions, config.safety),
    decisions,
    staleDisks: findStaleDisks(
      facts,
      governing.map((compiled) => compiled?.policy ?? null),
      clock,
      nowMs,
    ),
    warnings: facts.flatMap(warningsOf),
  };
}

function compilePolicy(
  policy: Policy,
  index: number,
  clock: ZoneClock,
  nowMs: number,
): CompiledPolicy {
  return {
    policy,
    index,
    select: compileSelector(policy.match),
    rules: compileKeepRules(policy.keep, clock, nowMs),
  };
}

/**
 * Runs each policy's keep rules over its groups (per source disk, or one group for
 * `groupBy: none`) of usable snapshots. Returns the reasons by listing position.
 */
function keepByRules(
  facts: readonly SnapshotFacts[],
  governing: readonly (CompiledPolicy | null)[],
  clock: ZoneClock,
): (readonly string[] | undefined)[] {
  const groups = new Map<CompiledPolicy, Map<string, CountableFacts[]>>();
  for (const item of facts) {
    const policy = governing[item.index];
    if (!policy || !isCountable(item)) continue;

    let byDisk = groups.get(policy);
    if (!byDisk) groups.set(policy, (byDisk = new Map()));
    const disk = policy.policy.groupBy === 'disk' ? (item.snapshot.sourceDiskId ?? '') : '';
    appendTo(byDisk, disk, item);
  }

  const reasons = new Array<readonly string[] | undefined>(facts.length);
  for (const [policy, byDisk] of groups) {
    for (const members of byDisk.values()) {
      members.sort(newestFirst);
      const times = members.map((item) => item.timeMs);
      const picked = pickKept(times, policy.rules, clock);
      members.forEach((item, position) => (reasons[item.index] = picked[position]));
    }
  }
  return reasons;
}

/** Keeping wins over parking, and parking over deleting. */
function decide(item: SnapshotFacts, context: DecisionContext): Decision {
  const compiled = context.governing[item.index] ?? null;
  const protection = protectReasons(item.snapshot.tags, context.safety);
  const reasons = keepReasons(item, compiled, protection, context);
  const flags = flagsOf(item, protection.length > 0);
  if (reasons.length > 0 || compiled === null)
    return decision(item, 'keep', compiled, reasons, flags);

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

function flagsOf(item: SnapshotFacts, isProtected: boolean): DecisionFlag[] {
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

function summarise(decisions: readonly Decision[]): PlanSummary {
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

function warningsOf(item: SnapshotFacts): string[] {
  const { snapshotId, creationTime } = item.snapshot;
  const warnings: string[] = [];
  if (item.future)
    warnings.push(`snapshot ${snapshotId} is dated in the future (${creationTime}); kept`);
  if (item.stuck) {
    warnings.push(
      `snapshot ${snapshotId} has been progressing since ${creationTime}, over a day: stuck`,
    );
  }
  return warnings;
}
