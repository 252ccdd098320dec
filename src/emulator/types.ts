/**
 * Resource shapes of the emulated ECS API. Field names are the wire names of the
 * DescribeSnapshots, DescribeDisks and DescribeImages responses, so an inventory file can be
 * written by copying real API output.
 */

/** The ECS actions the emulator answers. */
export type EcsAction = 'DescribeSnapshots' | 'DeleteSnapshot' | 'DescribeDisks' | 'DescribeImages';

export const ECS_ACTIONS: readonly EcsAction[] = [
  'DescribeSnapshots',
  'DeleteSnapshot',
  'DescribeDisks',
  'DescribeImages',
];

export interface ApiTag {
  readonly TagKey: string;
  readonly TagValue: string;
}

export interface ApiTags {
  readonly Tag: readonly ApiTag[];
}

export type SnapshotStatus = 'progressing' | 'accomplished' | 'failed';

/** `timer` is an automatic snapshot too; the API's `SnapshotType=auto` filter returns both. */
export type SnapshotType = 'auto' | 'timer' | 'user';

export type SnapshotUsage = 'image' | 'disk' | 'image_disk' | 'none';

export type ImageStatus =
  'Creating' | 'Waiting' | 'Available' | 'UnAvailable' | 'CreateFailed' | 'Deprecated';

/**
 * A snapshot as DescribeSnapshots returns it. `Usage` is never stored: the emulator derives
 * it from the images and disks present at the time of each call.
 */
export interface ApiSnapshot {
  readonly SnapshotId: string;
  readonly RegionId: string;
  readonly SourceDiskId: string;
  /** GiB, a decimal string as on the wire. */
  readonly SourceDiskSize: string;
  /** UTC, `yyyy-MM-ddTHH:mm:ssZ`. */
  readonly CreationTime: string;
  readonly Status: SnapshotStatus;
  readonly SnapshotType: SnapshotType;
  readonly SnapshotName?: string;
  readonly Description?: string;
  readonly SourceDiskType?: string;
  readonly SourceStorageType?: string;
  readonly LastModifiedTime?: string;
  readonly Progress?: string;
  readonly RemainTime?: number;
  readonly RetentionDays?: number;
  readonly Usage?: SnapshotUsage;
  readonly Category?: string;
  readonly Available?: boolean;
  readonly Encrypted?: boolean;
  readonly InstantAccess?: boolean;
  readonly ResourceGroupId?: string;
  readonly SnapshotSN?: string;
  readonly SnapshotLinkId?: string;
  readonly Tags?: ApiTags;
}

export interface ApiDiskDeviceMapping {
  readonly SnapshotId: string;
  readonly Size?: string;
  readonly Device?: string;
  readonly Type?: string;
  readonly Format?: string;
  readonly Progress?: string;
}

export interface ApiImage {
  readonly ImageId: string;
  readonly RegionId: string;
  readonly Status: ImageStatus;
  readonly ImageName?: string;
  readonly ImageOwnerAlias?: string;
  readonly CreationTime?: string;
  readonly Size?: number;
  readonly OSType?: string;
  readonly Architecture?: string;
  readonly Progress?: string;
  readonly ResourceGroupId?: string;
  readonly DiskDeviceMappings: { readonly DiskDeviceMapping: readonly ApiDiskDeviceMapping[] };
  readonly Tags?: ApiTags;
}

export interface ApiDisk {
  readonly DiskId: string;
  readonly RegionId: string;
  readonly Status: string;
  /** Empty or absent when the disk was not created from a snapshot. */
  readonly SourceSnapshotId?: string;
  readonly DiskName?: string;
  readonly ZoneId?: string;
  readonly Type?: string;
  readonly Category?: string;
  /** GiB, a number on the wire (unlike a snapshot's `SourceDiskSize`). */
  readonly Size?: number;
  readonly InstanceId?: string;
  readonly CreationTime?: string;
  readonly ResourceGroupId?: string;
  readonly Tags?: ApiTags;
}

export interface EmulatorInventory {
  readonly snapshots: readonly ApiSnapshot[];
  readonly disks: readonly ApiDisk[];
  readonly images: readonly ApiImage[];
}

/** One request the emulator received, in arrival order. */
export interface CallRecord {
  /** The `x-acs-action` header as received; may name an action the emulator does not know. */
  readonly action: string;
  /** Epoch ms of the real clock when the outcome was decided. */
  readonly at: number;
  /** HTTP status sent; 0 when the fault injector reset the socket or left the call hanging. */
  readonly status: number;
  /** Error code sent, or `Fault.Reset` / `Fault.Hang` for calls never answered. */
  readonly code?: string;
  readonly snapshotId?: string;
}

/** A snapshot removed through the DeleteSnapshot API. */
export interface DeletedSnapshot {
  readonly snapshotId: string;
  readonly force: boolean;
  /** Epoch ms of the real clock. */
  readonly at: number;
}

export interface QuotaFault {
  readonly max: number;
  readonly perMs: number;
  /** Sent as `x-acs-retry-after` (ms) on throttled answers when set. */
  readonly retryAfterMs?: number;
}

export interface EmulatorFaults {
  /** Delay before each answer, for all actions or per action. */
  readonly latencyMs?: number | Readonly<Partial<Record<EcsAction, number>>>;
  /**
   * Per-action quota over a sliding window: a call is admitted when fewer than `max` calls
   * were admitted in the last `perMs`. Rejected calls answer 400 `Throttling.User` and do not
   * count against the window.
   */
  readonly quota?: Readonly<Partial<Record<EcsAction, QuotaFault>>>;
  /** Fraction of calls answered 500 `InternalError` or 503 `ServiceUnavailable`. */
  readonly serverErrorRate?: number;
  /** Fraction of calls whose socket is reset without an answer (client sees ECONNRESET). */
  readonly resetRate?: number;
  /** Fraction of calls never answered (client hits its read timeout). */
  readonly hangRate?: number;
  /** Fraction of calls answered 200 with an HTML page instead of JSON (a broken proxy). */
  readonly malformedRate?: number;
  /** Actions the rate faults apply to; default all. */
  readonly actions?: readonly EcsAction[];
  /**
   * A listing that ends early: DescribeSnapshots leaves out this many of the oldest matching
   * snapshots while its TotalCount still counts them.
   */
  readonly listingShortfall?: number;
}
