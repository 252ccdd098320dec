import type { Policy } from '../config/schema';
import { formatUtc, ZoneClock } from './calendar';
import { decide, type CompiledPolicy, type DecisionContext } from './decide';
import {
  appendTo,
  isCountable,
  newestFirst,
  readSnapshot,
  type CountableFacts,
  type SnapshotFacts,
} from './facts';
import { guardPlan } from './guard';
import { compileKeepRules, pickKept } from './keep-rules';
import { compileSafetyRules, newestOfLiveDisks } from './safety';
import { compileSelector } from './selectors';
import { findStaleDisks } from './stale';
import { summarise, warningsOf } from './summary';
import type { Plan, RetentionInput } from './types';

/**
 * Decides keep, delete or park for every snapshot, in listing order, with the policy and the
 * reasons, then runs the guards. Pure: `now` is handed in and nothing is read or written.
 */
export function planRetention(input: RetentionInput): Plan {
  const { config, disks } = input;
  const nowMs = input.now.getTime();
  // An invalid `now` would make every age comparison false and so expire everything.
  if (!Number.isFinite(nowMs)) throw new RangeError('planRetention needs a valid `now` date');
  const clock = new ZoneClock(config.timezone);

  const facts = input.snapshots.map((snapshot, index) =>
    readSnapshot(snapshot, index, disks, nowMs),
  );
  const policies = config.policies.map((policy) => compilePolicy(policy, clock, nowMs));
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

function compilePolicy(policy: Policy, clock: ZoneClock, nowMs: number): CompiledPolicy {
  return {
    policy,
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
