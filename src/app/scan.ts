import type { Config } from '../config/schema';
import { snapshotPages, withRetries } from '../ecs/listing';
import type { EcsPort } from '../ecs/port';
import type { Logger } from '../observability/logger';
import { parseUtcTimestamp } from '../retention';
import type { DiskInventory, Snapshot } from '../retention/types';

export interface ScanResult {
  readonly snapshots: readonly Snapshot[];
  readonly disks: DiskInventory;
  readonly perRegion: Readonly<Record<string, number>>;
  /** Listed items without a readable SnapshotId (they cannot be judged, so nothing is done). */
  readonly unidentified: number;
}

/**
 * The disk listing leaves out most disks that were being snapshotted automatically until a
 * moment ago. Trusting it would make live disks look released: orphan policies would govern
 * their snapshots and the newest-of-a-live-disk rule would stop protecting them.
 */
export class SuspectDiskListingError extends Error {
  readonly code = 'LISTING_DISKS_SUSPECT';
  constructor(regionId: string, missing: readonly string[], active: number) {
    super(
      `the disk listing of ${regionId} looks incomplete: ${missing.length} of ${active} disks with automatic snapshots in the last ${RECENT_HOURS} hours are not in DescribeDisks (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}). Nothing was queued. Check that the RAM policy allows ecs:DescribeDisks on every disk (resource-group scoping hides disks).`,
    );
    this.name = 'SuspectDiskListingError';
  }
}

const RECENT_HOURS = 48;
/** Below this many recently active disks, a few released ones are no sign of anything. */
const MIN_ACTIVE_DISKS = 3;

/**
 * Automatic snapshots stop when a disk is released, so disks that had one in the last two days
 * are almost all still there. When more than half of them are missing from the disk listing,
 * the listing, not the account, is what changed.
 */
export function checkDiskListing(
  regionId: string,
  snapshots: readonly Snapshot[],
  disks: ReadonlySet<string>,
  nowMs: number,
): void {
  const since = nowMs - RECENT_HOURS * 3_600_000;
  const active = new Set<string>();
  for (const snapshot of snapshots) {
    const automatic = snapshot.snapshotType === 'auto' || snapshot.snapshotType === 'timer';
    const createdMs = snapshot.creationTime ? parseUtcTimestamp(snapshot.creationTime) : null;
    if (automatic && snapshot.sourceDiskId && createdMs !== null && createdMs >= since) {
      active.add(snapshot.sourceDiskId);
    }
  }

  const missing = [...active].filter((diskId) => !disks.has(diskId));
  if (active.size >= MIN_ACTIVE_DISKS && missing.length * 2 > active.size) {
    throw new SuspectDiskListingError(regionId, missing, active.size);
  }
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
    checkDiskListing(regionId, region.snapshots, disks, Date.now());
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
