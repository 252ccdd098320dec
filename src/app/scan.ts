import type { Config } from '../config/schema';
import { EcsError, toEcsError } from '../ecs/errors';
import type { EcsPort, PageRequest, SnapshotPage } from '../ecs/port';
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

const SCAN_ATTEMPTS = 4;

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

  let nextToken: string | null = null;
  do {
    const request: PageRequest = { pageSize, nextToken };
    const page: SnapshotPage = await withRetries(
      () => ecs.snapshotPage(regionId, request),
      'DescribeSnapshots',
    );
    // A snapshot repeated across pages (the listing moved under us) is counted once.
    for (const snapshot of page.snapshots) byId.set(snapshot.snapshotId, snapshot);
    unidentified += page.unidentified;
    lastTotal = page.totalCount ?? lastTotal;
    nextToken = page.nextToken;
    onPage?.(regionId, byId.size);
  } while (nextToken !== null);

  const found = byId.size + unidentified;
  if (lastTotal !== null && found < lastTotal) {
    throw new IncompleteListingError(regionId, found, lastTotal);
  }
  return { snapshots: [...byId.values()], unidentified };
}

/** Listing retries throttling and transient faults a few times; anything else ends the scan. */
async function withRetries<T>(call: () => Promise<T>, action: string): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (thrown) {
      const error = thrown instanceof EcsError ? thrown : toEcsError(action, thrown);
      const retryable = error.outcome === 'throttled' || error.outcome === 'transient';
      if (!retryable || attempt >= SCAN_ATTEMPTS) throw error;
      await sleep(error.details.retryAfterMs ?? 500 * 2 ** attempt);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
