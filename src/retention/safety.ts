import type { ProtectTag, SafetyConfig } from '../config/schema';
import type { ZoneClock } from './calendar';
import {
  appendTo,
  isCountable,
  newestFirst,
  type CountableFacts,
  type SnapshotFacts,
} from './facts';
import type { SnapshotTag } from './types';

/**
 * The global safety rules, which no policy can override. Each returns reasons to keep; none
 * ever gives a reason to delete.
 */

export interface SafetyRules {
  /**
   * Normalised `key\u0000value` of each protect tag, mapped to its reason; a tag whose value
   * is `*` is stored as `key\u0000*` and protects whatever value the snapshot carries.
   */
  readonly protect: ReadonlyMap<string, string>;
  /**
   * Snapshots at or after this instant count as younger than `minAge` and are kept: one exactly
   * `minAge` old is kept too, the same boundary as `within`, erring towards keeping.
   */
  readonly minAgeCutoffMs: number;
  readonly minAgeText: string;
}

export function compileSafetyRules(
  safety: Pick<SafetyConfig, 'minAge' | 'protectTags'>,
  clock: ZoneClock,
  nowMs: number,
): SafetyRules {
  const protect = new Map(
    safety.protectTags.map((tag) => [tagIdentity(tag), `protected by ${tag.key}=${tag.value}`]),
  );
  return {
    protect,
    minAgeCutoffMs: clock.minusDuration(nowMs, safety.minAge),
    minAgeText: safety.minAge.text,
  };
}

/**
 * Reasons the safety rules keep a snapshot, whatever its policy says, apart from protect tags
 * (`protectReasons`) and `keepNewestPerDisk` (`newestOfLiveDisks`), which need more than it.
 */
export function safetyReasons(facts: SnapshotFacts, rules: SafetyRules): string[] {
  const reasons: string[] = [...facts.problems];

  if (facts.future) reasons.push('dated in the future');
  else if (facts.timeMs !== null && facts.timeMs >= rules.minAgeCutoffMs) {
    reasons.push(`younger than minAge ${rules.minAgeText}`);
  }
  if (facts.status === 'progressing') {
    reasons.push(facts.stuck ? 'progressing (stuck)' : 'progressing');
  }

  return reasons;
}

/**
 * Protect tags compare after trimming spaces and ignoring letter case, so `Retain = TRUE `
 * protects too: a near-miss in a protect tag must err towards keeping.
 */
export function protectReasons(tags: readonly SnapshotTag[], rules: SafetyRules): string[] {
  if (rules.protect.size === 0) return [];

  const found = new Set<string>();
  for (const tag of tags) {
    const reason =
      rules.protect.get(tagIdentity(tag)) ?? rules.protect.get(tagIdentity({ ...tag, value: '*' }));
    if (reason !== undefined) found.add(reason);
  }
  return [...found];
}

/**
 * Marks, by listing position, the newest `count` usable snapshots of every disk that still
 * exists, across all policies and snapshot types.
 */
export function newestOfLiveDisks(facts: readonly SnapshotFacts[], count: number): boolean[] {
  const kept = new Array<boolean>(facts.length).fill(false);
  if (count <= 0) return kept;

  const byDisk = new Map<string, CountableFacts[]>();
  for (const item of facts) {
    if (item.disk === 'live' && isCountable(item)) {
      appendTo(byDisk, item.snapshot.sourceDiskId ?? '', item);
    }
  }

  for (const list of byDisk.values()) {
    list.sort(newestFirst);
    for (const item of list.slice(0, count)) kept[item.index] = true;
  }
  return kept;
}

/**
 * The protect tags a snapshot carries, compared as `protectReasons` does. For callers outside
 * the plan, such as the worker's re-check right before a delete, so both judge alike.
 */
export function protectTagsOn(
  tags: readonly SnapshotTag[],
  protectTags: readonly ProtectTag[],
): ProtectTag[] {
  return protectTags.filter((protect) => tags.some((tag) => protects(protect, tag)));
}

/** Keys and values compare trimmed and in any case; a value of `*` protects whatever value. */
function protects(protect: ProtectTag, tag: SnapshotTag): boolean {
  if (loose(protect.key) !== loose(tag.key)) return false;
  return protect.value === '*' || loose(protect.value) === loose(tag.value);
}

function loose(text: string): string {
  return text.trim().toLowerCase();
}

function tagIdentity(tag: ProtectTag | SnapshotTag): string {
  return `${loose(tag.key)}\u0000${tag.value === '*' ? '*' : loose(tag.value)}`;
}
