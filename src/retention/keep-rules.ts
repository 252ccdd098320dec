import type { KeepCount, PolicyKeep } from '../config/schema';
import type { RetentionDuration } from '../config/duration';
import { bucketKey, bucketLabel, type BucketUnit, type ZoneClock } from './calendar';

/**
 * A policy's keep rules, restic-style: each rule picks independently over one group sorted
 * newest first, and a snapshot is kept when any rule picks it.
 */

export type CountRuleName = 'last' | BucketUnit;

const COUNT_RULES: readonly CountRuleName[] = [
  'last',
  'hourly',
  'daily',
  'weekly',
  'monthly',
  'yearly',
];

interface CountRule {
  readonly name: CountRuleName;
  /** Snapshots (or buckets) to keep; Infinity for `unlimited`. */
  readonly count: number;
  readonly text: string;
}

/** The rules of one policy, ready for a given `now`. */
export interface KeepRules {
  readonly counts: readonly CountRule[];
  /** Snapshots at or after this instant are kept by `within`; null when `within` is off. */
  readonly withinCutoffMs: number | null;
  readonly withinText: string;
  /** `last 3, daily 7, within 30d`: the active rules, for "not kept by …". */
  readonly description: string;
}

export function compileKeepRules(keep: PolicyKeep, clock: ZoneClock, nowMs: number): KeepRules {
  const counts = COUNT_RULES.flatMap((name) => countRule(name, keep[name]));
  const within = isOn(keep.within) ? keep.within : null;
  const texts = [...counts.map((rule) => rule.text), ...(within ? [`within ${within.text}`] : [])];

  return {
    counts,
    withinCutoffMs: within ? clock.minusDuration(nowMs, within) : null,
    withinText: within ? `within ${within.text}` : '',
    description: texts.join(', '),
  };
}

/** Reasons by position in a group; a position no rule picked has none (undefined). */
type Picks = (string[] | undefined)[];

/**
 * Applies the rules to one group of usable snapshots given newest first (identical timestamps
 * in listing order) and returns, per position, the reasons it is kept (undefined: not kept).
 */
export function pickKept(
  timesNewestFirst: readonly number[],
  rules: KeepRules,
  clock: ZoneClock,
): readonly (readonly string[] | undefined)[] {
  const reasons: Picks = new Array<string[] | undefined>(timesNewestFirst.length);
  const locals = rules.counts.some((rule) => rule.name !== 'last')
    ? timesNewestFirst.map((ms) => clock.toLocal(ms))
    : [];

  for (const rule of rules.counts) pickByCount(rule, timesNewestFirst.length, locals, reasons);

  const cutoff = rules.withinCutoffMs;
  if (cutoff !== null) {
    timesNewestFirst.forEach((ms, position) => {
      if (ms >= cutoff) addReason(reasons, position, rules.withinText);
    });
  }
  return reasons;
}

/**
 * One count rule: the newest snapshot of each bucket until the count runs out, and the group's
 * oldest snapshot when the count is not used up by then (restic's "oldest" rule).
 */
function pickByCount(
  rule: CountRule,
  size: number,
  locals: readonly number[],
  reasons: Picks,
): void {
  const unit = rule.name === 'last' ? null : rule.name;
  let left = rule.count;
  let previous: number | null = null;

  for (let position = 0; position < size && left > 0; position += 1) {
    const local = locals[position] ?? 0;
    const key = unit === null ? position : bucketKey(unit, local);
    const sameBucket = key === previous;
    if (sameBucket && position < size - 1) continue;

    const reason = unit === null ? rule.text : `${unit} ${bucketLabel(unit, local)}`;
    addReason(reasons, position, sameBucket ? `oldest ${rule.name}` : reason);
    previous = key;
    left -= 1;
  }
}

function addReason(reasons: Picks, position: number, reason: string): void {
  const list = reasons[position];
  if (list) list.push(reason);
  else reasons[position] = [reason];
}

function countRule(name: CountRuleName, count: KeepCount | undefined): CountRule[] {
  if (count === undefined || count === 0) return [];
  const value = count === 'unlimited' ? Number.POSITIVE_INFINITY : count;
  return [{ name, count: value, text: `${name} ${count}` }];
}

function isOn(duration: RetentionDuration | undefined): duration is RetentionDuration {
  if (duration === undefined) return false;
  const { years, months, weeks, days, hours } = duration;
  return years + months + weeks + days + hours > 0;
}
