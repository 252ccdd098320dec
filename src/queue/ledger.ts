import type { Redis } from 'ioredis';
import type { DeleteOutcome } from './names';

/** One outcome of one snapshot, as the ledger keeps it. */
export interface LedgerEntry {
  /** The stream id; its first part is the time in epoch milliseconds. */
  readonly id: string;
  readonly at: string;
  readonly runId: string;
  readonly outcome: DeleteOutcome;
  readonly snapshotId: string;
  readonly regionId: string;
  readonly policy: string | null;
  /** The API's error code, or the reason a snapshot was skipped. */
  readonly code: string | null;
  readonly requestId: string | null;
  readonly detail: string | null;
  readonly sizeGiB: number | null;
}

export type LedgerRecord = Omit<LedgerEntry, 'id' | 'at'>;

/** Enough for weeks of outcomes at default rates, small enough to keep Redis bounded. */
export const DEFAULT_LEDGER_CAP = 100_000;

const FIELDS = ['runId', 'outcome', 'snapshotId', 'regionId', 'policy', 'code', 'requestId'];

/**
 * Every outcome in a capped Redis stream. Summaries are computed from it, so a report never
 * claims a deletion the API did not confirm.
 */
export class Ledger {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly cap: number = DEFAULT_LEDGER_CAP,
  ) {
    this.key = `${prefix}:ledger`;
  }

  async record(record: LedgerRecord): Promise<void> {
    const fields = [...FIELDS.map((name) => [name, textOf(record, name)]).flat()];
    fields.push('detail', record.detail ?? '', 'sizeGiB', String(record.sizeGiB ?? ''));
    await this.redis.xadd(this.key, 'MAXLEN', '~', String(this.cap), '*', ...fields);
  }

  /** Entries from `sinceMs` on, oldest first, at most `limit`. */
  async read(options: { sinceMs?: number; limit?: number } = {}): Promise<LedgerEntry[]> {
    const start = options.sinceMs === undefined ? '-' : `${options.sinceMs}-0`;
    const limit = options.limit ?? this.cap;
    const rows = await this.redis.xrange(this.key, start, '+', 'COUNT', limit);
    return rows.map(([id, fields]) => entryFrom(id, fields));
  }

  /** The newest entries, newest last. */
  async tail(limit: number): Promise<LedgerEntry[]> {
    const rows = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', limit);
    return rows.reverse().map(([id, fields]) => entryFrom(id, fields));
  }
}

function textOf(record: LedgerRecord, name: string): string {
  const value = (record as unknown as Record<string, unknown>)[name];
  return value === null || value === undefined ? '' : String(value);
}

function entryFrom(id: string, flat: readonly string[]): LedgerEntry {
  const fields = new Map<string, string>();
  for (let index = 0; index + 1 < flat.length; index += 2) {
    fields.set(flat[index] ?? '', flat[index + 1] ?? '');
  }
  const orNull = (name: string) => (fields.get(name) ? (fields.get(name) ?? null) : null);
  const size = orNull('sizeGiB');

  return {
    id,
    at: new Date(Number(id.split('-')[0])).toISOString(),
    runId: fields.get('runId') ?? '',
    outcome: (fields.get('outcome') ?? 'failed') as DeleteOutcome,
    snapshotId: fields.get('snapshotId') ?? '',
    regionId: fields.get('regionId') ?? '',
    policy: orNull('policy'),
    code: orNull('code'),
    requestId: orNull('requestId'),
    detail: orNull('detail'),
    sizeGiB: size === null ? null : Number(size),
  };
}
