import type {
  ApiDisk,
  ApiImage,
  ApiSnapshot,
  ApiTags,
  DeletedSnapshot,
  EmulatorInventory,
  SnapshotUsage,
} from './types';

/** A snapshot as listed: `Usage` derived and `Tags` always present. */
export type ListedSnapshot = ApiSnapshot & {
  readonly Usage: SnapshotUsage;
  readonly Tags: ApiTags;
};

const NO_TAGS: ApiTags = { Tag: [] };

/**
 * The live resources of the emulated account. Mutations take effect on the next API call,
 * which is what race tests need (an image created between the scan and the delete).
 * Everything handed in or out is copied, so callers cannot change the state by accident.
 */
export class EmulatorState {
  private readonly snapshotsById = new Map<string, ApiSnapshot>();
  private readonly disksById = new Map<string, ApiDisk>();
  private readonly imagesById = new Map<string, ApiImage>();
  private readonly deletions: DeletedSnapshot[] = [];
  private ordered: readonly ApiSnapshot[] | undefined;

  constructor(inventory: EmulatorInventory) {
    inventory.snapshots.forEach((s) => this.addSnapshot(s));
    inventory.disks.forEach((d) => this.addDisk(d));
    inventory.images.forEach((i) => this.addImage(i));
  }

  /** Current snapshots in API order (CreationTime desc, then SnapshotId), Usage derived. */
  snapshots(): ListedSnapshot[] {
    return structuredClone(this.listedSnapshots());
  }

  /** As `snapshots()` but sharing the stored objects: for handlers that only serialise them. */
  listedSnapshots(): ListedSnapshot[] {
    const usageOf = this.usageIndex();
    return this.orderedSnapshots().map((s) => listed(s, usageOf(s.SnapshotId)));
  }

  hasSnapshot(snapshotId: string): boolean {
    return this.snapshotsById.has(snapshotId);
  }

  snapshot(snapshotId: string): ListedSnapshot | undefined {
    const found = this.snapshotsById.get(snapshotId);
    return found && structuredClone(listed(found, this.usageIndex()(snapshotId)));
  }

  addSnapshot(snapshot: ApiSnapshot): void {
    this.insert(this.snapshotsById, 'snapshot', snapshot.SnapshotId, withoutUsage(snapshot));
    this.ordered = undefined;
  }

  removeSnapshot(snapshotId: string): boolean {
    this.ordered = undefined;
    return this.snapshotsById.delete(snapshotId);
  }

  /** Replaces fields of a snapshot (say `Status`); its id cannot change. */
  updateSnapshot(snapshotId: string, changes: Partial<ApiSnapshot>): void {
    const current = this.existingSnapshot(snapshotId);
    const updated = withoutUsage({ ...current, ...changes, SnapshotId: snapshotId });
    this.snapshotsById.set(snapshotId, updated);
    this.ordered = undefined;
  }

  /** Replaces all tags of a snapshot. */
  setSnapshotTags(snapshotId: string, tags: Readonly<Record<string, string>>): void {
    const Tag = Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
    this.updateSnapshot(snapshotId, { Tags: { Tag } });
  }

  disks(): ApiDisk[] {
    return [...this.disksById.values()].map((d) => structuredClone(d));
  }

  addDisk(disk: ApiDisk): void {
    this.insert(this.disksById, 'disk', disk.DiskId, structuredClone(disk));
  }

  removeDisk(diskId: string): boolean {
    return this.disksById.delete(diskId);
  }

  images(): ApiImage[] {
    return [...this.imagesById.values()].map((i) => structuredClone(i));
  }

  addImage(image: ApiImage): void {
    this.insert(this.imagesById, 'image', image.ImageId, structuredClone(image));
  }

  removeImage(imageId: string): boolean {
    return this.imagesById.delete(imageId);
  }

  /** Snapshots deleted through the DeleteSnapshot API, in order. */
  deleted(): readonly DeletedSnapshot[] {
    return [...this.deletions];
  }

  /** Images (any status) with a disk device mapping of the snapshot. */
  imagesUsing(snapshotId: string): ApiImage[] {
    return [...this.imagesById.values()].filter((image) => mapsSnapshot(image, snapshotId));
  }

  /** Disks created from the snapshot. */
  disksFrom(snapshotId: string): ApiDisk[] {
    return [...this.disksById.values()].filter((disk) => disk.SourceSnapshotId === snapshotId);
  }

  /** The DeleteSnapshot side effect; the caller has checked that nothing blocks it. */
  recordDeletion(snapshotId: string, force: boolean, at: number): void {
    this.removeSnapshot(snapshotId);
    this.deletions.push({ snapshotId, force, at });
  }

  inventory(): EmulatorInventory {
    return { snapshots: this.snapshots(), disks: this.disks(), images: this.images() };
  }

  /** Read-only views for the action handlers, without copying. */
  rawDisks(): Iterable<ApiDisk> {
    return this.disksById.values();
  }

  rawImages(): Iterable<ApiImage> {
    return this.imagesById.values();
  }

  private existingSnapshot(snapshotId: string): ApiSnapshot {
    const found = this.snapshotsById.get(snapshotId);
    if (!found) throw new Error(`snapshot ${snapshotId} does not exist`);
    return found;
  }

  private insert<T>(map: Map<string, T>, kind: string, id: string, item: T): void {
    if (map.has(id)) throw new Error(`${kind} ${id} already exists`);
    map.set(id, item);
  }

  private orderedSnapshots(): readonly ApiSnapshot[] {
    this.ordered ??= [...this.snapshotsById.values()].sort(compareSnapshots);
    return this.ordered;
  }

  // Built once per call: deriving Usage per snapshot would scan every image and disk each time.
  private usageIndex(): (snapshotId: string) => SnapshotUsage {
    const byImage = new Set<string>();
    for (const image of this.imagesById.values()) {
      image.DiskDeviceMappings.DiskDeviceMapping.forEach((m) => byImage.add(m.SnapshotId));
    }
    const byDisk = new Set<string>();
    for (const disk of this.disksById.values()) {
      if (disk.SourceSnapshotId) byDisk.add(disk.SourceSnapshotId);
    }
    return (id) => usage(byImage.has(id), byDisk.has(id));
  }
}

/** A deep copy without `Usage`, which is derived on every read rather than stored. */
function withoutUsage(snapshot: ApiSnapshot): ApiSnapshot {
  const entries = Object.entries(structuredClone(snapshot)).filter(([key]) => key !== 'Usage');
  return Object.fromEntries(entries) as unknown as ApiSnapshot;
}

function usage(image: boolean, disk: boolean): SnapshotUsage {
  if (image && disk) return 'image_disk';
  if (image) return 'image';
  return disk ? 'disk' : 'none';
}

function listed(snapshot: ApiSnapshot, Usage: SnapshotUsage): ListedSnapshot {
  return { ...snapshot, Tags: snapshot.Tags ?? NO_TAGS, Usage };
}

/** An image uses a snapshot when one of its disk device mappings names it. */
export function mapsSnapshot(image: ApiImage, snapshotId: string): boolean {
  return image.DiskDeviceMappings.DiskDeviceMapping.some((m) => m.SnapshotId === snapshotId);
}

/** Milliseconds since the epoch of a validated UTC time; 0 when absent. */
export function timeOf(isoTime: string | undefined): number {
  return isoTime ? Date.parse(isoTime) : 0;
}

/** The API order: newest first, ties broken by id so that paging is deterministic. */
export function compareSnapshots(a: ApiSnapshot, b: ApiSnapshot): number {
  return compareNewestFirst(
    timeOf(a.CreationTime),
    a.SnapshotId,
    timeOf(b.CreationTime),
    b.SnapshotId,
  );
}

export function compareNewestFirst(aTime: number, aId: string, bTime: number, bId: string): number {
  if (aTime !== bTime) return bTime - aTime;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}
