import type { Config } from '../config/schema';

/**
 * The retention engine's input and output. The engine is pure: it reads no clock, no file and
 * no network; `now` and every snapshot are handed in.
 */

export interface SnapshotTag {
  readonly key: string;
  readonly value: string;
}

/**
 * A snapshot as the API listed it. Fields stay as found (text, possibly missing) so that the
 * engine, not the reader, decides what it cannot read; an unreadable snapshot is always kept.
 */
export interface Snapshot {
  readonly snapshotId: string;
  readonly regionId: string;
  readonly snapshotName: string | null;
  readonly sourceDiskId: string | null;
  /** GiB, as the API's `SourceDiskSize` text. */
  readonly sourceDiskSize: string | null;
  /** ISO 8601 in UTC as listed; the engine parses it strictly. */
  readonly creationTime: string | null;
  /** `progressing`, `accomplished` or `failed` when readable. */
  readonly status: string | null;
  /** `auto`, `timer` (automatic) or `user` (manual) when readable. */
  readonly snapshotType: string | null;
  /** `image`, `disk`, `image_disk` or `none` when readable. */
  readonly usage: string | null;
  readonly resourceGroupId: string | null;
  readonly tags: readonly SnapshotTag[];
}

/**
 * Which source disks still exist. `assume-all` is for offline plans without a disk list: every
 * disk counts as existing, so nothing is treated as orphaned.
 */
export type DiskInventory =
  | { readonly kind: 'known'; readonly diskIds: ReadonlySet<string> }
  | { readonly kind: 'assume-all' };

export type Action = 'delete' | 'keep' | 'park';

/** Facts about a snapshot worth reporting whatever its action. */
export type DecisionFlag = 'unreadable' | 'stuck' | 'orphan' | 'future' | 'protected';

export interface Decision {
  readonly snapshotId: string;
  readonly regionId: string;
  readonly sourceDiskId: string | null;
  readonly creationTime: string | null;
  readonly action: Action;
  /** The policy that governs it; null when no policy matched (kept). */
  readonly policy: string | null;
  /** Human-readable, such as "daily 2026-11-30", "last 3" or "not kept by last 3, daily 7". */
  readonly reasons: readonly string[];
  readonly sizeGiB: number | null;
  readonly usage: string | null;
  readonly flags: readonly DecisionFlag[];
}

export interface PlanSummary {
  readonly total: number;
  readonly delete: number;
  readonly keep: number;
  readonly park: number;
  /** Sum of `SourceDiskSize` over snapshots planned for deletion. */
  readonly reclaimGiB: number;
  readonly unreadable: number;
  readonly stuck: number;
  readonly orphans: number;
}

export interface GuardResult {
  readonly ok: boolean;
  /** Stable code of the tripped guard, such as `GUARD_MAX_DELETIONS`. */
  readonly code: string | null;
  readonly reason: string | null;
}

/** A live disk whose newest accomplished snapshot is older than its policy's cadence. */
export interface StaleDisk {
  readonly diskId: string;
  readonly regionId: string;
  readonly policy: string;
  readonly newestSnapshotTime: string;
  readonly expectedEvery: string;
}

export interface Plan {
  readonly now: string;
  readonly summary: PlanSummary;
  readonly guard: GuardResult;
  readonly decisions: readonly Decision[];
  readonly staleDisks: readonly StaleDisk[];
  readonly warnings: readonly string[];
}

/** The part of the configuration the engine reads. */
export type RetentionConfig = Pick<Config, 'timezone' | 'safety' | 'policies'>;

export interface RetentionInput {
  readonly snapshots: readonly Snapshot[];
  readonly disks: DiskInventory;
  readonly config: RetentionConfig;
  /** The instant the plan is made for; the engine never reads the clock. */
  readonly now: Date;
}
