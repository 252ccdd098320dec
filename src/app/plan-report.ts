import { once } from 'node:events';
import type { Decision, Plan, StaleDisk } from '../retention/types';

/**
 * How a plan is shown: the JSON document of DESIGN.md section 5 for machines, and a table
 * grouped by region and disk for people. Both are produced as a sequence of pieces, so a plan
 * of a million decisions can be written to a stream without building one giant string; the
 * `render*` functions join the same pieces for small plans and tests.
 */

export interface PlanTableOptions {
  /** Columns to fit; reasons wrap onto continuation lines. Default 100. */
  readonly width?: number;
  /** ANSI colour for actions and the guard verdict; only for a TTY. Default off. */
  readonly color?: boolean;
}

/** The plan as one JSON document (see writePlanJson for large plans). */
export function renderPlanJson(plan: Plan): string {
  return [...planJsonPieces(plan)].join('');
}

/** Writes the JSON document piece by piece, waiting whenever the stream asks to. */
export async function writePlanJson(plan: Plan, out: NodeJS.WritableStream): Promise<void> {
  await writePieces(planJsonPieces(plan), out);
}

/** The plan as a table for a terminal or a log. */
export function renderPlanTable(plan: Plan, options: PlanTableOptions = {}): string {
  return [...planTablePieces(plan, options)].join('');
}

export async function writePlanTable(
  plan: Plan,
  out: NodeJS.WritableStream,
  options: PlanTableOptions = {},
): Promise<void> {
  await writePieces(planTablePieces(plan, options), out);
}

/** One decision per line, so the output stays readable and greppable. */
function* planJsonPieces(plan: Plan): Generator<string> {
  const { summary, guard } = plan;
  const summaryJson = {
    total: summary.total,
    delete: summary.delete,
    keep: summary.keep,
    park: summary.park,
    reclaimGiB: summary.reclaimGiB,
    unreadable: summary.unreadable,
    stuck: summary.stuck,
    orphans: summary.orphans,
  };
  const guardJson = { ok: guard.ok, reason: guard.reason, code: guard.code };

  yield `{\n  "now": ${JSON.stringify(plan.now)},\n`;
  yield `  "summary": ${JSON.stringify(summaryJson)},\n`;
  yield `  "guard": ${JSON.stringify(guardJson)},\n`;
  yield* jsonList('decisions', plan.decisions, decisionJson, ',');
  yield* jsonList('staleDisks', plan.staleDisks, staleDiskJson, ',');
  yield* jsonList('warnings', plan.warnings, (warning) => JSON.stringify(warning), '');
  yield '}\n';
}

function* jsonList<T>(
  name: string,
  items: readonly T[],
  toJson: (item: T) => string,
  after: string,
): Generator<string> {
  if (items.length === 0) {
    yield `  "${name}": []${after}\n`;
    return;
  }

  yield `  "${name}": [\n`;
  for (let index = 0; index < items.length; index += 1) {
    const separator = index === items.length - 1 ? '' : ',';
    yield `    ${toJson(items[index] as T)}${separator}\n`;
  }
  yield `  ]${after}\n`;
}

/** Field by field, so the document's order is fixed whatever the engine's objects hold. */
function decisionJson(decision: Decision): string {
  return JSON.stringify({
    snapshotId: decision.snapshotId,
    regionId: decision.regionId,
    sourceDiskId: decision.sourceDiskId,
    creationTime: decision.creationTime,
    action: decision.action,
    policy: decision.policy,
    reasons: decision.reasons,
    sizeGiB: decision.sizeGiB,
    usage: decision.usage,
    flags: decision.flags,
  });
}

function staleDiskJson(disk: StaleDisk): string {
  return JSON.stringify({
    diskId: disk.diskId,
    regionId: disk.regionId,
    policy: disk.policy,
    newestSnapshotTime: disk.newestSnapshotTime,
    expectedEvery: disk.expectedEvery,
  });
}

const DEFAULT_WIDTH = 100;
/** Below this the reasons column would be a word per line; past it lines overflow instead. */
const MIN_REASONS_WIDTH = 30;
const MAX_POLICY_WIDTH = 24;
const TIME_WIDTH = 19;
const ACTION_WIDTH = 6;
const ROW_INDENT = '    ';
const NO_DISK = '(no source disk)';

type Paint = (text: string, tone: Tone) => string;
type Tone = 'delete' | 'park' | 'refused' | 'orphan' | 'heading';

const ANSI: Readonly<Record<Tone, string>> = {
  delete: '\u001b[31m',
  park: '\u001b[33m',
  refused: '\u001b[1;31m',
  orphan: '\u001b[33m',
  heading: '\u001b[1m',
};

interface Columns {
  readonly id: number;
  readonly policy: number;
  /** Where the reasons column starts and how wide it is. */
  readonly reasonsAt: number;
  readonly reasons: number;
}

function* planTablePieces(plan: Plan, options: PlanTableOptions): Generator<string> {
  const paint: Paint = options.color === true ? ansiPaint : (text) => text;
  const columns = tableColumns(plan.decisions, options.width ?? DEFAULT_WIDTH);

  yield `Plan for ${plan.now}\n\n`;
  if (plan.decisions.length > 0) yield* decisionLines(plan.decisions, columns, paint);
  yield* staleDiskLines(plan.staleDisks);
  yield* warningLines(plan.warnings);
  yield* totalLines(plan, paint);
}

function ansiPaint(text: string, tone: Tone): string {
  return `${ANSI[tone]}${text}\u001b[0m`;
}

function tableColumns(decisions: readonly Decision[], width: number): Columns {
  let id = 'SNAPSHOT'.length;
  let policy = 'POLICY'.length;
  for (const decision of decisions) {
    id = Math.max(id, decision.snapshotId.length);
    policy = Math.max(policy, policyText(decision).length);
  }
  policy = Math.min(policy, MAX_POLICY_WIDTH);

  const reasonsAt = ROW_INDENT.length + TIME_WIDTH + id + ACTION_WIDTH + policy + 8;
  return { id, policy, reasonsAt, reasons: Math.max(width - reasonsAt, MIN_REASONS_WIDTH) };
}

function* decisionLines(
  decisions: readonly Decision[],
  columns: Columns,
  paint: Paint,
): Generator<string> {
  const header = row(columns, 'TIME (UTC)', 'SNAPSHOT', 'ACTION', 'POLICY', 'REASONS');
  yield `${paint(header.trimEnd(), 'heading')}\n`;

  for (const [regionId, disks] of groupByRegionAndDisk(decisions)) {
    yield `${regionId}\n`;
    for (const [diskId, group] of disks) {
      yield `  ${diskHeading(diskId, group, paint)}\n`;
      for (const decision of group) yield* decisionRow(decision, columns, paint);
    }
  }
  yield '\n';
}

/** Regions and disks in name order, each disk's snapshots newest first. */
function groupByRegionAndDisk(
  decisions: readonly Decision[],
): Map<string, Map<string, Decision[]>> {
  const regions = new Map<string, Map<string, Decision[]>>();
  for (const decision of decisions) {
    const disks = regions.get(decision.regionId) ?? new Map<string, Decision[]>();
    regions.set(decision.regionId, disks);
    const diskId = decision.sourceDiskId ?? NO_DISK;
    const group = disks.get(diskId);
    if (group === undefined) disks.set(diskId, [decision]);
    else group.push(decision);
  }

  const sorted = new Map([...regions].sort(([a], [b]) => compareText(a, b)));
  for (const [regionId, disks] of sorted) {
    for (const group of disks.values()) group.sort(newestFirst);
    sorted.set(regionId, new Map([...disks].sort(([a], [b]) => compareText(a, b))));
  }
  return sorted;
}

/** Unreadable times sort last; equal times keep the engine's order (the sort is stable). */
function newestFirst(a: Decision, b: Decision): number {
  if (a.creationTime === b.creationTime) return 0;
  if (a.creationTime === null) return 1;
  if (b.creationTime === null) return -1;
  return a.creationTime < b.creationTime ? 1 : -1;
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function diskHeading(diskId: string, group: readonly Decision[], paint: Paint): string {
  const count = `${group.length} snapshot${group.length === 1 ? '' : 's'}`;
  const label = diskId === NO_DISK ? diskId : `disk ${diskId}`;
  if (!group.some((decision) => decision.flags.includes('orphan'))) return `${label}  ${count}`;

  return `${label}  ${count}  ${paint('ORPHAN: the source disk no longer exists', 'orphan')}`;
}

function* decisionRow(decision: Decision, columns: Columns, paint: Paint): Generator<string> {
  const [first = '', ...rest] = wrap(reasonsText(decision), columns.reasons);
  const line = row(
    columns,
    displayTime(decision.creationTime),
    decision.snapshotId,
    decision.action,
    policyText(decision),
    first,
  );

  yield `${paintAction(line, decision, columns, paint).trimEnd()}\n`;
  const continuation = ' '.repeat(columns.reasonsAt);
  for (const more of rest) yield `${continuation}${more}\n`;
}

function row(
  columns: Columns,
  time: string,
  id: string,
  action: string,
  policy: string,
  reasons: string,
): string {
  const cells = [
    time.padEnd(TIME_WIDTH),
    id.padEnd(columns.id),
    action.padEnd(ACTION_WIDTH),
    clip(policy, columns.policy).padEnd(columns.policy),
    reasons,
  ];
  return `${ROW_INDENT}${cells.join('  ')}`;
}

/** Colours only the action cell, after padding, so colour never shifts the columns. */
function paintAction(line: string, decision: Decision, columns: Columns, paint: Paint): string {
  if (decision.action === 'keep') return line;
  const at = ROW_INDENT.length + TIME_WIDTH + 2 + columns.id + 2;
  const cell = line.slice(at, at + ACTION_WIDTH);
  return `${line.slice(0, at)}${paint(cell, decision.action)}${line.slice(at + ACTION_WIDTH)}`;
}

function policyText(decision: Decision): string {
  return decision.policy ?? '-';
}

function reasonsText(decision: Decision): string {
  const flags = decision.flags.filter((flag) => flag !== 'orphan');
  const reasons = decision.reasons.join('; ');
  return flags.length === 0 ? reasons : `${reasons} [${flags.join(', ')}]`.trimStart();
}

/** `2026-11-30T03:00:00Z` reads as `2026-11-30 03:00:00`; anything else is shown as listed. */
function displayTime(time: string | null): string {
  if (time === null) return '(no time)';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?Z$/.exec(time);
  return match ? `${match[1]} ${match[2]}` : clip(time, TIME_WIDTH);
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** Splits at spaces into lines of at most `width`; a longer word gets a line of its own. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

function* staleDiskLines(disks: readonly StaleDisk[]): Generator<string> {
  if (disks.length === 0) return;

  yield 'Stale disks (no recent snapshot for their policy)\n';
  for (const disk of disks) {
    yield `  ${disk.regionId}  disk ${disk.diskId}  policy ${disk.policy}: newest snapshot ${disk.newestSnapshotTime}, expected every ${disk.expectedEvery}\n`;
  }
  yield '\n';
}

function* warningLines(warnings: readonly string[]): Generator<string> {
  if (warnings.length === 0) return;

  yield 'Warnings\n';
  for (const warning of warnings) yield `  - ${warning}\n`;
  yield '\n';
}

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function* totalLines(plan: Plan, paint: Paint): Generator<string> {
  const { summary } = plan;
  const totals: readonly (readonly [string, number])[] = [
    ['snapshots', summary.total],
    ['to delete', summary.delete],
    ['to park', summary.park],
    ['kept', summary.keep],
    ['GiB to be reclaimed', summary.reclaimGiB],
    ['unreadable', summary.unreadable],
    ['stuck', summary.stuck],
    ['orphans', summary.orphans],
    ['stale disks', plan.staleDisks.length],
  ];
  const labelWidth = Math.max(...totals.map(([label]) => label.length)) + 2;
  const valueWidth = Math.max(...totals.map(([, value]) => COUNT.format(value).length));

  yield 'Totals\n';
  for (const [label, value] of totals) {
    yield `  ${label.padEnd(labelWidth)}${COUNT.format(value).padStart(valueWidth)}\n`;
  }
  yield `  ${'guard'.padEnd(labelWidth)}${guardVerdict(plan, paint)}\n`;
}

function guardVerdict(plan: Plan, paint: Paint): string {
  const { guard } = plan;
  if (guard.ok) return 'ok';

  const code = guard.code === null ? '' : ` ${guard.code}`;
  const reason = guard.reason === null ? '' : `: ${guard.reason}`;
  return `${paint(`REFUSED${code}`, 'refused')}${reason} (nothing would be deleted)`;
}

/** Pieces are gathered into writes of about this many characters. */
const WRITE_BATCH_CHARS = 64 * 1024;

async function writePieces(pieces: Iterable<string>, out: NodeJS.WritableStream): Promise<void> {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length < WRITE_BATCH_CHARS) continue;

    const flowing = out.write(batch);
    batch = '';
    if (!flowing) await once(out, 'drain');
  }
  if (batch !== '') out.write(batch);
}
