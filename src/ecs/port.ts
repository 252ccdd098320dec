import type { Snapshot } from '../retention/types';

/**
 * The ECS operations snapshot-reaper needs, as one port. The SDK adapter implements it against
 * the real API (or the emulator, which speaks the same wire protocol). Every method throws
 * EcsError on failure.
 */
export interface EcsPort {
  /** One page of a region's snapshots; pass the previous page's `nextToken` to go on. */
  snapshotPage(regionId: string, options: PageRequest): Promise<SnapshotPage>;
  /** Fresh copies of up to 100 snapshots; missing ids are simply absent from the answer. */
  describeSnapshots(regionId: string, snapshotIds: readonly string[]): Promise<Snapshot[]>;
  /** Every snapshot of one source disk, for re-judging a snapshot among its group. */
  describeDiskSnapshots(regionId: string, diskId: string): Promise<Snapshot[]>;
  /** Ids of every disk that exists in the region. */
  listDiskIds(regionId: string): Promise<ReadonlySet<string>>;
  /** Which of these disks (at most 100) still exist. */
  existingDisks(regionId: string, diskIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** Custom images of any status with a disk mapping made from the snapshot. */
  imagesUsingSnapshot(regionId: string, snapshotId: string): Promise<string[]>;
  /** Disks created from the snapshot. */
  disksFromSnapshot(regionId: string, snapshotId: string): Promise<string[]>;
  /**
   * Deletes a snapshot; an unknown id succeeds as `alreadyGone`. The call itself names no
   * region: the region picks the endpoint it is sent to.
   */
  deleteSnapshot(
    regionId: string,
    snapshotId: string,
    options: { readonly force: boolean },
  ): Promise<DeleteResult>;
}

export interface PageRequest {
  readonly pageSize: number;
  readonly nextToken: string | null;
}

export interface SnapshotPage {
  readonly snapshots: readonly Snapshot[];
  /** Items the page held without a readable SnapshotId. */
  readonly unidentified: number;
  /** The API's `TotalCount` on this page, when it gave one. */
  readonly totalCount: number | null;
  /** Null on the last page. */
  readonly nextToken: string | null;
}

export interface DeleteResult {
  readonly requestId: string | null;
  readonly alreadyGone: boolean;
}

/** Waits for permission to make one call; lets several processes share one API quota. */
export interface RateGate {
  acquire(): Promise<void>;
}
