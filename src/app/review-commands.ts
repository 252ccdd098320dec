import { Option, type Command } from 'commander';
import type { Config } from '../config/schema';
import { parseIntervalMs } from '../config/duration';
import { createLogger } from '../observability/logger';
import type { DeadLetter } from '../queue/dead-letters';
import type { LedgerEntry } from '../queue/ledger';
import type { DeleteOutcome } from '../queue/names';
import { enqueueDecisions } from '../queue/producer';
import { openContext, type ReaperContext } from './context';
import { EXIT, UsageError } from './exit-codes';
import { newRunId, redecide } from './run-cycle';

interface Wiring {
  readonly common: (command: Command) => Command;
  readonly act: <A extends unknown[]>(
    run: (...args: A) => Promise<number>,
  ) => (...args: A) => Promise<void>;
  readonly loadConfig: (flags: { config?: string }) => Promise<Config>;
}

type Flags = { config?: string; logLevel: string; output: 'table' | 'json' };

const FORCE_COST =
  'Force=true deletes a snapshot that disks were created from; those disks can then no longer be re-initialized from it. Images still block deletion.';

/** `dead-letters …` and `ledger`: what people use to review what the reaper did. */
export function registerReviewCommands(program: Command, wiring: Wiring): void {
  const review = program
    .command('dead-letters')
    .description(
      'Review snapshots that could not be deleted (in use by images or disks, or refused).',
    );
  const output = () =>
    new Option('--output <format>', 'output').choices(['table', 'json']).default('table');

  wiring
    .common(review.command('list').description('List parked snapshots.').addOption(output()))
    .action(
      wiring.act((flags: Flags) => withContext(wiring, flags, (ctx) => listEntries(ctx, flags))),
    );

  wiring
    .common(review.command('show').argument('<id>', 'snapshot id').addOption(output()))
    .description('Show one parked snapshot in full.')
    .action(
      wiring.act((id: string, flags: Flags) =>
        withContext(wiring, flags, (ctx) => showEntry(ctx, id, flags)),
      ),
    );

  wiring
    .common(
      review
        .command('retry')
        .argument('[ids...]', 'snapshot ids')
        .option('--all', 'retry every entry')
        .option('--force', `for SnapshotCreatedDisk entries: ${FORCE_COST}`),
    )
    .description('Queue parked snapshots for deletion again (a running worker picks them up).')
    .action(
      wiring.act((ids: string[], flags: Flags & { all?: boolean; force?: boolean }) =>
        withContext(wiring, flags, (ctx) => retryEntries(ctx, ids, flags)),
      ),
    );

  wiring
    .common(review.command('drop').argument('<ids...>', 'snapshot ids'))
    .description('Remove entries from the dead-letter queue without deleting the snapshots.')
    .action(
      wiring.act((ids: string[], flags: Flags) =>
        withContext(wiring, flags, (ctx) => dropEntries(ctx, ids)),
      ),
    );

  wiring
    .common(
      program
        .command('ledger')
        .description('Print recent outcomes (deleted, already gone, skipped, parked, failed).')
        .option('--since <age|iso>', 'only entries newer than this: 1h, 2d, or an ISO time')
        .addOption(
          new Option('--outcome <outcome>', 'only this outcome').choices([
            'deleted',
            'already-gone',
            'skipped',
            'parked',
            'failed',
          ]),
        )
        .option('--limit <n>', 'at most this many entries', '200')
        .addOption(output()),
    )
    .action(
      wiring.act((flags: Flags & { since?: string; outcome?: DeleteOutcome; limit: string }) =>
        withContext(wiring, flags, (ctx) => printLedger(ctx, flags)),
      ),
    );
}

async function withContext(
  wiring: Wiring,
  flags: Flags,
  run: (ctx: ReaperContext) => Promise<number>,
): Promise<number> {
  const config = await wiring.loadConfig(flags);
  const ctx = await openContext(config, { logger: createLogger({ level: flags.logLevel }) });
  try {
    return await run(ctx);
  } finally {
    await ctx.close();
  }
}

async function listEntries(ctx: ReaperContext, flags: Flags): Promise<number> {
  const entries = await ctx.deadLetters.list();
  if (flags.output === 'json') {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return EXIT.ok;
  }
  process.stdout.write(`${renderEntries(entries)}\n`);
  return EXIT.ok;
}

export function renderEntries(entries: readonly DeadLetter[]): string {
  if (entries.length === 0) return 'the dead-letter queue is empty';
  const rows = entries.map((e) =>
    [
      e.snapshotId.padEnd(24),
      e.regionId.padEnd(14),
      e.code.padEnd(28),
      String(e.attempts).padStart(3),
      e.lastSeen.slice(0, 19),
      [...e.blockingImageIds, ...e.blockingDiskIds].join(',') || '-',
    ].join('  '),
  );
  const header = ['SNAPSHOT'.padEnd(24), 'REGION'.padEnd(14), 'CODE'.padEnd(28), 'N'.padStart(3)];
  return [[...header, 'LAST SEEN'.padEnd(19), 'BLOCKED BY'].join('  '), ...rows].join('\n');
}

async function showEntry(ctx: ReaperContext, id: string, flags: Flags): Promise<number> {
  const entry = await ctx.deadLetters.get(id);
  if (!entry)
    throw new UsageError(`dead-letters show: no entry for "${id}"; see dead-letters list`);
  const text = flags.output === 'json' ? JSON.stringify(entry, null, 2) : renderEntry(entry);
  process.stdout.write(`${text}\n`);
  return EXIT.ok;
}

/** One entry as `field  value` lines, lists joined, absent values as `-`. */
export function renderEntry(entry: DeadLetter): string {
  return Object.entries(entry)
    .map(([field, value]) => {
      const text = Array.isArray(value) ? value.join(', ') : String(value ?? '');
      return `${field.padEnd(17)} ${text === '' ? '-' : text}`;
    })
    .join('\n');
}

async function retryEntries(
  ctx: ReaperContext,
  ids: readonly string[],
  flags: { all?: boolean; force?: boolean },
): Promise<number> {
  const entries = await chosenEntries(ctx, ids, flags.all === true);
  if (flags.force) requireDiskOnly(entries);

  const runId = `retry-${newRunId(new Date())}`;
  for (const entry of entries)
    await ctx.deadLetters.remove(`${entry.regionId}__${entry.snapshotId}`);
  const extra = flags.force ? { force: true } : {};
  const result = await enqueueDecisions(
    ctx.deleteQueue,
    entries.map((entry) => redecide(entry, 'retried from the dead-letter queue')),
    runId,
    ctx.config,
    extra,
  );

  if (flags.force) process.stderr.write(`note: ${FORCE_COST}\n`);
  process.stdout.write(
    `queued ${result.queued.length} for deletion (run ${runId}); a running worker (snapshot-reaper run or worker) deletes them\n`,
  );
  return EXIT.ok;
}

async function chosenEntries(ctx: ReaperContext, ids: readonly string[], all: boolean) {
  if (all && ids.length > 0) {
    throw new UsageError('dead-letters retry: give snapshot ids or --all, not both');
  }
  if (all) return ctx.deadLetters.list();
  if (ids.length === 0) throw new UsageError('dead-letters retry: name snapshot ids, or use --all');

  const entries: DeadLetter[] = [];
  for (const id of ids) {
    const entry = await ctx.deadLetters.get(id);
    if (!entry)
      throw new UsageError(`dead-letters retry: no entry for "${id}"; see dead-letters list`);
    entries.push(entry);
  }
  return entries;
}

function requireDiskOnly(entries: readonly DeadLetter[]): void {
  const other = entries.filter((e) => e.code !== 'SnapshotCreatedDisk');
  if (other.length === 0) return;
  const named = other.map((e) => `${e.snapshotId} (${e.code})`).join(', ');
  throw new UsageError(
    `dead-letters retry --force: found ${named}; allowed: only SnapshotCreatedDisk entries (Force cannot delete a snapshot an image uses)`,
  );
}

async function dropEntries(ctx: ReaperContext, ids: readonly string[]): Promise<number> {
  const missing: string[] = [];
  for (const id of ids) if (!(await ctx.deadLetters.remove(id))) missing.push(id);
  process.stdout.write(`dropped ${ids.length - missing.length}\n`);
  if (missing.length === 0) return EXIT.ok;
  throw new UsageError(`dead-letters drop: no entry for ${missing.join(', ')}`);
}

async function printLedger(
  ctx: ReaperContext,
  flags: Flags & { since?: string; outcome?: DeleteOutcome; limit: string },
): Promise<number> {
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new UsageError(`--limit: found "${flags.limit}"; allowed: a whole number >= 1`);
  }
  const sinceMs = flags.since === undefined ? undefined : parseSince(flags.since, Date.now());
  const entries = (await ctx.ledger.read({ sinceMs }))
    .filter((entry) => !flags.outcome || entry.outcome === flags.outcome)
    .slice(-limit);

  const text = flags.output === 'json' ? JSON.stringify(entries, null, 2) : renderLedger(entries);
  process.stdout.write(`${text}\n`);
  return EXIT.ok;
}

export function parseSince(text: string, nowMs: number): number {
  const ageMs = parseIntervalMs(text);
  if (ageMs !== null) return nowMs - ageMs;
  const at = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(at)) return at;
  throw new UsageError(
    `--since: found "${text}"; allowed: an age such as 30m, 1h, 2d, or an ISO time`,
  );
}

export function renderLedger(entries: readonly LedgerEntry[]): string {
  if (entries.length === 0) return 'no ledger entries';
  const header = ['TIME'.padEnd(19), 'OUTCOME'.padEnd(12), 'SNAPSHOT'.padEnd(24)];
  header.push('REGION'.padEnd(14), 'POLICY'.padEnd(16), 'CODE', 'REQUEST ID');
  const rows = entries
    .map((e) =>
      [
        e.at.slice(0, 19),
        e.outcome.padEnd(12),
        e.snapshotId.padEnd(24),
        e.regionId.padEnd(14),
        (e.policy ?? '-').padEnd(16),
        e.code ?? '-',
        e.requestId ?? '',
      ].join('  '),
    )
    .join('\n');
  return `${header.join('  ')}\n${rows}`;
}
