import type { PolicyMatch } from '../config/schema';
import type { SnapshotFacts } from './facts';
import type { SnapshotTag } from './types';

/** Whether a policy's `match` fits a snapshot. */
export type SnapshotSelector = (facts: SnapshotFacts) => boolean;

/**
 * Compiles a `match` block once per plan. Every key given must fit (AND); a field the listing
 * did not carry fits no selector that asks for it. Comparisons are exact: a selector decides
 * what a policy may delete, so it must not match more than it says.
 */
export function compileSelector(match: PolicyMatch): SnapshotSelector {
  const checks: SnapshotSelector[] = [];
  const add = (check: SnapshotSelector): void => void checks.push(check);

  if (match.snapshotType !== 'all') add((facts) => facts.kind === match.snapshotType);
  if (match.tags) add(tagSelector(match.tags));
  if (match.diskIds) add(memberSelector(match.diskIds, (facts) => facts.snapshot.sourceDiskId));
  if (match.namePattern) add(nameSelector(match.namePattern));
  if (match.resourceGroupId !== undefined) {
    add((facts) => facts.snapshot.resourceGroupId === match.resourceGroupId);
  }
  if (match.regions) add(memberSelector(match.regions, (facts) => facts.snapshot.regionId));
  if (match.orphaned !== undefined) add(orphanSelector(match.orphaned));
  if (match.status) add(memberSelector(match.status, (facts) => facts.status));

  return (facts) => checks.every((check) => check(facts));
}

/** Every wanted tag must be present with that exact value; the value `*` accepts any value. */
export function hasTags(
  tags: readonly SnapshotTag[],
  wanted: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(wanted).every(([key, value]) =>
    tags.some((tag) => tag.key === key && (value === '*' || tag.value === value)),
  );
}

/**
 * A shell glob as an anchored, case-sensitive expression: `*` any run of characters, `?` one
 * character, `[abc]`, `[a-z]` and `[!abc]` one character of (or not of) a set. Everything else
 * is literal, including an unclosed `[`.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let at = 0; at < glob.length; at += 1) {
    const char = glob[at] ?? '';
    const set = char === '[' ? characterClassAt(glob, at) : null;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (set !== null) {
      source += set.source;
      at = set.end;
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, 's');
}

/** The set opening at `start`, or null when it is not closed or not valid (a range `[z-a]`). */
function characterClassAt(glob: string, start: number): { source: string; end: number } | null {
  const end = glob.indexOf(']', start + 2);
  if (end < 0) return null;

  const body = glob.slice(start + 1, end);
  const negated = body.startsWith('!');
  const members = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&');
  const source = `[${negated ? '^' : ''}${members}]`;
  try {
    new RegExp(source);
    return { source, end };
  } catch {
    return null;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function tagSelector(wanted: Readonly<Record<string, string>>): SnapshotSelector {
  return (facts) => hasTags(facts.snapshot.tags, wanted);
}

function nameSelector(pattern: string): SnapshotSelector {
  const glob = globToRegExp(pattern);
  return (facts) => facts.snapshot.snapshotName !== null && glob.test(facts.snapshot.snapshotName);
}

function orphanSelector(orphaned: boolean): SnapshotSelector {
  return (facts) => facts.disk === (orphaned ? 'orphan' : 'live');
}

function memberSelector(
  allowed: readonly string[],
  read: (facts: SnapshotFacts) => string | null,
): SnapshotSelector {
  const members = new Set(allowed);
  return (facts) => {
    const value = read(facts);
    return value !== null && members.has(value);
  };
}
