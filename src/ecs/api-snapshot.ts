import type { Snapshot, SnapshotTag } from '../retention/types';

/**
 * Maps a snapshot in the API's own field names (a `DescribeSnapshots` item, or an SDK model's
 * `toMap()`) to the engine's Snapshot. Nothing is rejected here: a field of the wrong type
 * becomes null and the engine keeps that snapshot as unreadable.
 */
export function snapshotFromApi(item: unknown, fallbackRegionId: string): Snapshot | null {
  if (typeof item !== 'object' || item === null) return null;
  const fields = item as Readonly<Record<string, unknown>>;
  const snapshotId = text(fields.SnapshotId);
  if (snapshotId === null) return null;

  return {
    snapshotId,
    regionId: text(fields.RegionId) ?? fallbackRegionId,
    snapshotName: text(fields.SnapshotName),
    sourceDiskId: text(fields.SourceDiskId),
    sourceDiskSize: text(fields.SourceDiskSize),
    creationTime: text(fields.CreationTime),
    status: text(fields.Status),
    snapshotType: text(fields.SnapshotType),
    usage: text(fields.Usage),
    resourceGroupId: text(fields.ResourceGroupId),
    tags: tagsFromApi(fields.Tags),
  };
}

function tagsFromApi(value: unknown): readonly SnapshotTag[] {
  const list = typeof value === 'object' && value !== null ? (value as { Tag?: unknown }).Tag : [];
  if (!Array.isArray(list)) return [];

  return list.flatMap((tag: unknown) => {
    if (typeof tag !== 'object' || tag === null) return [];
    const { TagKey, TagValue } = tag as Record<string, unknown>;
    const key = text(TagKey);
    return key === null ? [] : [{ key, value: text(TagValue) ?? '' }];
  });
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
