import { DAY_MS, parseUtcTimestamp } from './calendar';
import type { DiskInventory, Snapshot } from './types';

export type SnapshotStatus = 'accomplished' | 'failed' | 'progressing';

/** `timer` snapshots come from automatic policies too, so they read as `auto`. */
export type SnapshotKind = 'auto' | 'user';

export type DiskState = 'live' | 'orphan' | 'unknown';

/** What the engine could read from one listed snapshot. */
export interface SnapshotFacts {
  /** Position in the listing; breaks ties between identical timestamps. */
  readonly index: number;
  readonly snapshot: Snapshot;
  readonly timeMs: number | null;
  readonly status: SnapshotStatus | null;
  readonly kind: SnapshotKind | null;
  /** One line per unreadable field, such as `unreadable CreationTime "2026-13-01T00:00:00Z"`. */
  readonly problems: readonly string[];
  /** `unknown` only when `SourceDiskId` is missing (such a snapshot is unreadable). */
  readonly disk: DiskState;
  readonly future: boolean;
  /** Progressing for over a day. */
  readonly stuck: boolean;
}

const STATUSES: Readonly<Record<string, SnapshotStatus>> = {
  accomplished: 'accomplished',
  failed: 'failed',
  progressing: 'progressing',
};

const KINDS: Readonly<Record<string, SnapshotKind>> = { auto: 'auto', timer: 'auto', user: 'user' };

const STUCK_AFTER_MS = DAY_MS;

/**
 * Reads the fields the engine decides on. `CreationTime`, `Status`, `SnapshotType` and
 * `SourceDiskId` must be readable: without them a policy could match or group a snapshot
 * wrongly, so such a snapshot is kept and listed as unreadable.
 */
export function readSnapshot(
  snapshot: Snapshot,
  index: number,
  disks: DiskInventory,
  nowMs: number,
): SnapshotFacts {
  const timeMs = snapshot.creationTime === null ? null : parseUtcTimestamp(snapshot.creationTime);
  const status = STATUSES[snapshot.status ?? ''] ?? null;
  const kind = KINDS[snapshot.snapshotType ?? ''] ?? null;

  const problems = [
    timeMs === null ? unreadable('CreationTime', snapshot.creationTime) : null,
    status === null ? unreadable('Status', snapshot.status) : null,
    kind === null ? unreadable('SnapshotType', snapshot.snapshotType) : null,
    snapshot.sourceDiskId === null ? unreadable('SourceDiskId', null) : null,
  ].filter((problem) => problem !== null);

  return {
    index,
    snapshot,
    timeMs,
    status,
    kind,
    problems,
    disk: diskState(snapshot.sourceDiskId, disks),
    future: timeMs !== null && timeMs > nowMs,
    stuck: status === 'progressing' && timeMs !== null && nowMs - timeMs > STUCK_AFTER_MS,
  };
}

/** A usable, readable snapshot: one that keep rules and `keepNewestPerDisk` count. */
export type CountableFacts = SnapshotFacts & { readonly timeMs: number };

/**
 * Only `accomplished` snapshots hold usable data. A future-dated one is left out too (it is kept
 * anyway): a clock error must not take the place of a real, recent snapshot.
 */
export function isCountable(facts: SnapshotFacts): facts is CountableFacts {
  return facts.problems.length === 0 && facts.status === 'accomplished' && !facts.future;
}

function diskState(diskId: string | null, disks: DiskInventory): DiskState {
  if (diskId === null) return 'unknown';
  if (disks.kind === 'assume-all' || disks.diskIds.has(diskId)) return 'live';
  return 'orphan';
}

function unreadable(field: string, value: string | null): string {
  return value === null
    ? `unreadable ${field} (missing)`
    : `unreadable ${field} ${JSON.stringify(value)}`;
}

/** Newest first; identical timestamps keep their listing order. */
export function newestFirst(
  a: { readonly timeMs: number; readonly index: number },
  b: { readonly timeMs: number; readonly index: number },
): number {
  return b.timeMs - a.timeMs || a.index - b.index;
}

/** Appends a value to the list under a key, creating the list. */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
