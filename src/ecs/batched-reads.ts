import type { Snapshot } from '../retention/types';
import type { DeleteResult, EcsPort, PageRequest, SnapshotPage } from './port';

/**
 * Spares the Describe quota while many delete jobs are ready at once. Re-reads of single
 * snapshots that arrive within a short window are sent as one DescribeSnapshots call of up to
 * 100 ids per region, and jobs of one disk that ask for its snapshot list at the same moment
 * share the call in flight. Nothing is reused once answered: a remembered list could still
 * hold a snapshot deleted since, which would let the engine delete one it must now keep. The
 * one fact kept is that a disk is gone, since a released disk never comes back.
 */
export class BatchedReads implements EcsPort {
  private readonly pending = new Map<string, PendingBatch>();
  private readonly groups = new Map<string, Promise<Snapshot[]>>();
  private readonly goneDisks = new Set<string>();

  constructor(
    private readonly inner: EcsPort,
    private readonly options: { readonly windowMs: number } = { windowMs: 20 },
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
    const inFlight = this.groups.get(key);
    if (inFlight) return inFlight;

    const answer = this.inner.describeDiskSnapshots(regionId, diskId);
    this.groups.set(key, answer);
    const forget = () => this.groups.delete(key);
    answer.then(forget, forget);
    return answer;
  }

  async existingDisks(regionId: string, diskIds: readonly string[]): Promise<ReadonlySet<string>> {
    const candidates = diskIds.filter((id) => !this.goneDisks.has(`${regionId}/${id}`));
    if (candidates.length === 0) return new Set();

    const existing = await this.inner.existingDisks(regionId, candidates);
    for (const id of candidates) {
      if (!existing.has(id)) this.goneDisks.add(`${regionId}/${id}`);
    }
    return existing;
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
