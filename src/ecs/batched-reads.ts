import type { Snapshot } from '../retention/types';
import type { DeleteResult, EcsPort, PageRequest, SnapshotPage } from './port';

/**
 * Spares the Describe quota while many delete jobs are ready at once. Re-reads of single
 * snapshots that arrive within a short window are sent as one DescribeSnapshots call of up to
 * 100 ids per region. A disk's snapshot list and whether a disk exists are reused for a few
 * seconds: a snapshot missing from a slightly old group can only make the engine keep more,
 * and a released disk never comes back, so reuse errs towards keeping.
 */
export class BatchedReads implements EcsPort {
  private readonly pending = new Map<string, PendingBatch>();
  private readonly groups = new Map<string, { at: number; value: Promise<Snapshot[]> }>();
  private readonly disks = new Map<string, { at: number; exists: boolean }>();

  constructor(
    private readonly inner: EcsPort,
    private readonly options: { readonly windowMs: number; readonly reuseMs: number } = {
      windowMs: 20,
      reuseMs: 2_000,
    },
  ) {}

  snapshotPage(regionId: string, request: PageRequest): Promise<SnapshotPage> {
    return this.inner.snapshotPage(regionId, request);
  }

  async describeSnapshots(regionId: string, snapshotIds: readonly string[]): Promise<Snapshot[]> {
    if (snapshotIds.length !== 1) return this.inner.describeSnapshots(regionId, snapshotIds);
    const [snapshotId] = snapshotIds;
    const found = await this.batchFor(regionId).request(snapshotId ?? '');
    return found ? [found] : [];
  }

  describeDiskSnapshots(regionId: string, diskId: string): Promise<Snapshot[]> {
    const key = `${regionId}/${diskId}`;
    const cached = this.groups.get(key);
    if (cached && Date.now() - cached.at < this.options.reuseMs) return cached.value;

    const value = this.inner.describeDiskSnapshots(regionId, diskId);
    this.groups.set(key, { at: Date.now(), value });
    value.catch(() => this.groups.delete(key));
    return value;
  }

  async existingDisks(regionId: string, diskIds: readonly string[]): Promise<ReadonlySet<string>> {
    const unknown = diskIds.filter((id) => !this.disks.has(`${regionId}/${id}`));
    if (unknown.length > 0) {
      const existing = await this.inner.existingDisks(regionId, unknown);
      for (const id of unknown) {
        this.disks.set(`${regionId}/${id}`, { at: Date.now(), exists: existing.has(id) });
      }
    }
    return new Set(diskIds.filter((id) => this.disks.get(`${regionId}/${id}`)?.exists));
  }

  listDiskIds(regionId: string): Promise<ReadonlySet<string>> {
    return this.inner.listDiskIds(regionId);
  }

  imagesUsingSnapshot(regionId: string, snapshotId: string): Promise<string[]> {
    return this.inner.imagesUsingSnapshot(regionId, snapshotId);
  }

  disksFromSnapshot(regionId: string, snapshotId: string): Promise<string[]> {
    return this.inner.disksFromSnapshot(regionId, snapshotId);
  }

  deleteSnapshot(
    regionId: string,
    snapshotId: string,
    options: { readonly force: boolean },
  ): Promise<DeleteResult> {
    return this.inner.deleteSnapshot(regionId, snapshotId, options);
  }

  private batchFor(regionId: string): PendingBatch {
    const open = this.pending.get(regionId);
    if (open && !open.full) return open;

    const batch = new PendingBatch((ids) => this.inner.describeSnapshots(regionId, ids));
    this.pending.set(regionId, batch);
    setTimeout(() => {
      if (this.pending.get(regionId) === batch) this.pending.delete(regionId);
      batch.send();
    }, this.options.windowMs);
    return batch;
  }
}

const BATCH_LIMIT = 100;

/** Ids collected for one DescribeSnapshots call; every caller gets the same answer or error. */
class PendingBatch {
  private readonly ids = new Set<string>();
  private readonly answer: Promise<Map<string, Snapshot>>;
  private release: () => void = () => undefined;

  constructor(fetch: (ids: string[]) => Promise<Snapshot[]>) {
    const started = new Promise<void>((resolve) => (this.release = resolve));
    this.answer = started
      .then(() => fetch([...this.ids]))
      .then((snapshots) => new Map(snapshots.map((s) => [s.snapshotId, s])));
  }

  get full(): boolean {
    return this.ids.size >= BATCH_LIMIT;
  }

  async request(snapshotId: string): Promise<Snapshot | undefined> {
    this.ids.add(snapshotId);
    if (this.full) this.send();
    return (await this.answer).get(snapshotId);
  }

  send(): void {
    this.release();
  }
}
