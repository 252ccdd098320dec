import type { Config } from '../config/schema';
import { snapshotPages, withRetries } from '../ecs/listing';
import type { EcsPort } from '../ecs/port';
import type { Logger } from '../observability/logger';
import type { DiskInventory, Snapshot } from '../retention/types';

export interface ScanResult {
  readonly snapshots: readonly Snapshot[];
  readonly disks: DiskInventory;
  readonly perRegion: Readonly<Record<string, number>>;
  /** Listed items without a readable SnapshotId (they cannot be judged, so nothing is done). */
  readonly unidentified: number;
}

/** The listing ended early: planning on it could delete what the missing part would keep. */
export class IncompleteListingError extends Error {
  readonly code = 'LISTING_INCOMPLETE';
  constructor(regionId: string, found: number, promised: number) {
    super(
      `the snapshot listing of ${regionId} is incomplete: found ${found} snapshots, the API's TotalCount promised ${promised}. Nothing was queued; the next run will try again.`,
    );
    this.name = 'IncompleteListingError';
  }
}

/** Lists every snapshot and every disk of the configured regions. */
export async function scanRegions(
  ecs: EcsPort,
  config: Config,
  log: Logger,
  onPage?: (regionId: string, listed: number) => void,
): Promise<ScanResult> {
  const snapshots: Snapshot[] = [];
  const diskIds = new Set<string>();
  const perRegion: Record<string, number> = {};
  let unidentified = 0;

  for (const regionId of config.regions) {
    const region = await listRegion(ecs, regionId, config.scan.pageSize, onPage);
    snapshots.push(...region.snapshots);
    unidentified += region.unidentified;
    perRegion[regionId] = region.snapshots.length;

    const disks = await withRetries(() => ecs.listDiskIds(regionId), 'DescribeDisks');
    for (const diskId of disks) diskIds.add(diskId);
    log.info({ regionId, snapshots: region.snapshots.length, disks: disks.size }, 'region scanned');
  }
  return { snapshots, disks: { kind: 'known', diskIds }, perRegion, unidentified };
}

async function listRegion(
  ecs: EcsPort,
  regionId: string,
  pageSize: number,
  onPage?: (regionId: string, listed: number) => void,
) {
  const byId = new Map<string, Snapshot>();
  let unidentified = 0;
  let lastTotal: number | null = null;

  for await (const page of snapshotPages(ecs, regionId, pageSize)) {
    // A snapshot repeated across pages (the listing moved under us) is counted once.
    for (const snapshot of page.snapshots) byId.set(snapshot.snapshotId, snapshot);
    unidentified += page.unidentified;
    lastTotal = page.totalCount ?? lastTotal;
    onPage?.(regionId, byId.size);
  }

  const found = byId.size + unidentified;
  if (lastTotal !== null && found < lastTotal) {
    throw new IncompleteListingError(regionId, found, lastTotal);
  }
  return { snapshots: [...byId.values()], unidentified };
}
