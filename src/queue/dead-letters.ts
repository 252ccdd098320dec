import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEAD_LETTER_QUEUE, PARKED_JOB, snapshotKey } from './names';

/** A snapshot that could not be deleted and waits for a person, once per snapshot. */
export interface DeadLetter {
  readonly snapshotId: string;
  readonly regionId: string;
  readonly policy: string | null;
  readonly sourceDiskId: string | null;
  readonly sizeGiB: number | null;
  readonly code: string;
  readonly message: string;
  readonly requestId: string | null;
  readonly blockingImageIds: readonly string[];
  readonly blockingDiskIds: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** How many times it was parked (each run that found it blocked again counts). */
  readonly attempts: number;
  /** `listing`: the re-read showed it in use before any delete; `api`: DeleteSnapshot refused. */
  readonly source: 'listing' | 'api';
}

export type ParkRequest = Omit<DeadLetter, 'firstSeen' | 'lastSeen' | 'attempts'>;

/** Enough for any sane account; beyond it the oldest entries give way (and get re-found). */
export const DEFAULT_DEAD_LETTER_CAP = 20_000;

/**
 * The dead-letter queue: a BullMQ queue without a worker, so entries show in the dashboard and
 * stay until a person (or a later run that sees the blocker gone) takes them out.
 */
export class DeadLetters {
  readonly queue: Queue;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly cap: number = DEFAULT_DEAD_LETTER_CAP,
  ) {
    this.queue = new Queue(DEAD_LETTER_QUEUE, { connection, prefix });
  }

  /** Adds or refreshes the entry of a snapshot; the snapshot key keeps it unique. */
  async park(request: ParkRequest, now: Date): Promise<DeadLetter> {
    const id = snapshotKey(request.regionId, request.snapshotId);
    const existing = await this.queue.getJob(id);
    if (existing) return this.refresh(existing, request, now);

    const entry: DeadLetter = {
      ...request,
      firstSeen: now.toISOString(),
      lastSeen: now.toISOString(),
      attempts: 1,
    };
    await this.queue.add(PARKED_JOB, entry, { jobId: id });
    await this.trim();
    return entry;
  }

  async list(limit = 1000): Promise<DeadLetter[]> {
    const jobs = await this.queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, limit - 1);
    return jobs.map((job) => job.data as DeadLetter);
  }

  /** Finds an entry by snapshot id (any region) or by its full key. */
  async get(id: string): Promise<DeadLetter | null> {
    const job = await this.findJob(id);
    return job ? (job.data as DeadLetter) : null;
  }

  async remove(id: string): Promise<boolean> {
    const job = await this.findJob(id);
    if (!job) return false;
    await job.remove();
    return true;
  }

  /** Drops the entry of a snapshot that needs no review any more (deleted, gone, now kept). */
  async forget(regionId: string, snapshotId: string): Promise<void> {
    const job = await this.queue.getJob(snapshotKey(regionId, snapshotId));
    await job?.remove();
  }

  async count(): Promise<number> {
    return this.queue.getWaitingCount();
  }

  async close(): Promise<void> {
    await this.queue.close();
  }

  private async findJob(id: string): Promise<Job | null> {
    const direct = await this.queue.getJob(id);
    if (direct) return direct;
    const all = await this.queue.getJobs(['waiting', 'prioritized', 'delayed']);
    return all.find((job) => (job.data as DeadLetter).snapshotId === id) ?? null;
  }

  private async refresh(job: Job, request: ParkRequest, now: Date): Promise<DeadLetter> {
    const previous = job.data as DeadLetter;
    const entry: DeadLetter = {
      ...request,
      firstSeen: previous.firstSeen,
      lastSeen: now.toISOString(),
      attempts: previous.attempts + 1,
    };
    await job.updateData(entry);
    return entry;
  }

  private async trim(): Promise<void> {
    const excess = (await this.count()) - this.cap;
    if (excess <= 0) return;
    // Waiting jobs are listed newest first from the tail; the oldest sit at the end.
    const oldest = await this.queue.getWaiting(-excess, -1);
    await Promise.all(oldest.map((job) => job.remove()));
  }
}
