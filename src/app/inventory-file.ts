import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { WriteStream } from 'node:tty';
import { SingleBar } from 'cli-progress';
import type { Token, TokenSource } from 'stream-json/core/parser.js' with {
  'resolution-mode': 'import',
};
import type { Assembler } from 'stream-json/core/assembler.js' with {
  'resolution-mode': 'import',
};
import { snapshotFromApi } from '../ecs/api-snapshot';
import type { DiskInventory, Snapshot } from '../retention/types';

/**
 * Reads `plan --inventory FILE` and `plan --disks FILE`: saved `DescribeSnapshots` or
 * `DescribeDisks` output, in any of three shapes with the API's own field names:
 *
 * - one response body, `{TotalCount, PageNumber, PageSize, Snapshots: {Snapshot: [...]}}`;
 * - an array of such bodies (pages), as `aliyun ecs DescribeSnapshots --pager` or our dumps;
 * - a bare array of `Snapshot` (or `Disk`) objects.
 *
 * Files are stream-parsed, so an inventory of a million snapshots (several hundred MB, more
 * than one JavaScript string can hold) is read in bounded memory: only the mapped Snapshot
 * objects are kept, never the JSON tree.
 *
 * A listing is judged complete page run by page run. Pages numbered 1, 2, 3… (or linked by
 * `NextToken`) form one run; a page numbered 1, or not following its predecessor, starts the
 * next (a dump of several regions holds several runs). A run is incomplete when its last page
 * still carries a `NextToken`, or, for `PageNumber` paging, when it holds fewer distinct items
 * than its `TotalCount`. `TotalCount` is not checked for `NextToken` paging, where the API does
 * not promise it. A bare array carries no count and cannot be checked.
 */

export type InventoryErrorCode = 'INVENTORY_INVALID' | 'INVENTORY_INCOMPLETE';

/** Raised when a file cannot be planned from; the CLI exits 2 with the message. */
export class InventoryError extends Error {
  constructor(
    readonly code: InventoryErrorCode,
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'InventoryError';
  }
}

export interface SnapshotInventory {
  readonly snapshots: readonly Snapshot[];
  /** Listed items without a usable `SnapshotId`: they cannot be planned, so they are reported. */
  readonly withoutId: number;
  /** Snapshots listed more than once (overlapping pages or files); each is planned once. */
  readonly duplicates: number;
  /** One line per finding an operator should see, for the plan's warnings. */
  readonly warnings: readonly string[];
}

export interface ReadInventoryOptions {
  /** Region given to items whose `RegionId` is missing (response bodies carry none). */
  readonly fallbackRegionId: string;
  /** Where a progress bar goes; it is drawn only on a TTY and for a large file. */
  readonly progress?: NodeJS.WritableStream;
}

export interface ReadDisksOptions {
  readonly progress?: NodeJS.WritableStream;
}

/** Files smaller than this read in about a second; a bar would only flicker. */
const PROGRESS_MIN_BYTES = 32 * 1024 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;
const BYTE_ORDER_MARK = '\uFEFF';

interface ListingShape {
  readonly action: 'DescribeSnapshots' | 'DescribeDisks';
  /** The response body's wrapper object and the array inside it. */
  readonly wrapperKey: 'Snapshots' | 'Disks';
  readonly itemKey: 'Snapshot' | 'Disk';
  readonly noun: 'snapshot' | 'disk';
}

const SNAPSHOT_LISTING: ListingShape = {
  action: 'DescribeSnapshots',
  wrapperKey: 'Snapshots',
  itemKey: 'Snapshot',
  noun: 'snapshot',
};

const DISK_LISTING: ListingShape = {
  action: 'DescribeDisks',
  wrapperKey: 'Disks',
  itemKey: 'Disk',
  noun: 'disk',
};

/** Where an item sits in the file, for messages: page is null in a bare array. */
interface ItemPlace {
  readonly page: number | null;
  readonly index: number;
}

/** Receives each listed item; returns false when it is a repeat of one already seen. */
type ItemSink = (item: unknown, place: ItemPlace) => boolean;

/** Reads a snapshot inventory file; throws InventoryError when it is invalid or incomplete. */
export async function readSnapshotInventory(
  path: string,
  options: ReadInventoryOptions,
): Promise<SnapshotInventory> {
  const snapshots: Snapshot[] = [];
  const strings = new StringPool();
  const seen = new Set<string>();
  let withoutId = 0;
  let duplicates = 0;
  let firstWithoutId: ItemPlace | null = null;

  await readListingFile(path, SNAPSHOT_LISTING, options.progress, (item, place) => {
    const snapshot = snapshotFromApi(item, options.fallbackRegionId);
    if (snapshot === null) {
      withoutId += 1;
      firstWithoutId ??= place;
      return true;
    }
    if (seen.has(snapshot.snapshotId)) {
      duplicates += 1;
      return false;
    }

    const kept = strings.snapshot(snapshot);
    seen.add(kept.snapshotId);
    snapshots.push(kept);
    return true;
  });

  const file = basename(path);
  const warnings = [
    ...(firstWithoutId === null ? [] : [withoutIdWarning(file, withoutId, firstWithoutId)]),
    ...(duplicates === 0 ? [] : [duplicateWarning(file, duplicates)]),
  ];
  return { snapshots, withoutId, duplicates, warnings };
}

function withoutIdWarning(file: string, count: number, first: ItemPlace): string {
  return `${count} item(s) in ${file} have no SnapshotId and cannot be planned; the first is ${describePlace(first)}`;
}

function duplicateWarning(file: string, count: number): string {
  return `${count} snapshot(s) are listed more than once in ${file}; each is planned once`;
}

/**
 * Reads a disk list. A disk without a `DiskId` fails the file: dropping it would make its
 * snapshots look orphaned, and orphan policies delete.
 */
export async function readDiskInventory(
  path: string,
  options: ReadDisksOptions = {},
): Promise<DiskInventory> {
  const diskIds = new Set<string>();

  await readListingFile(path, DISK_LISTING, options.progress, (item, place) => {
    const diskId = isRecord(item) ? item.DiskId : undefined;
    if (typeof diskId !== 'string' || diskId === '') {
      throw invalid(path, `${describePlace(place)} has no DiskId; every listed disk needs one`);
    }
    if (diskIds.has(diskId)) return false;

    diskIds.add(detach(diskId));
    return true;
  });

  return { kind: 'known', diskIds };
}

/**
 * V8 cuts parsed strings out of the read buffer as slices that keep the whole buffer alive;
 * kept as they come, a million snapshots would pin the file's entire text. Values that repeat
 * across snapshots (region, disk, status, tags…) are shared; the others are copied loose.
 */
class StringPool {
  private readonly pool = new Map<string, string>();

  snapshot(from: Snapshot): Snapshot {
    return {
      snapshotId: detach(from.snapshotId),
      regionId: this.share(from.regionId),
      snapshotName: from.snapshotName === null ? null : detach(from.snapshotName),
      sourceDiskId: this.shareOrNull(from.sourceDiskId),
      sourceDiskSize: this.shareOrNull(from.sourceDiskSize),
      creationTime: from.creationTime === null ? null : detach(from.creationTime),
      status: this.shareOrNull(from.status),
      snapshotType: this.shareOrNull(from.snapshotType),
      usage: this.shareOrNull(from.usage),
      resourceGroupId: this.shareOrNull(from.resourceGroupId),
      tags: from.tags.map((tag) => ({ key: this.share(tag.key), value: this.share(tag.value) })),
    };
  }

  private shareOrNull(value: string | null): string | null {
    return value === null ? null : this.share(value);
  }

  private share(value: string): string {
    const known = this.pool.get(value);
    if (known !== undefined) return known;

    const loose = detach(value);
    this.pool.set(loose, loose);
    return loose;
  }
}

/** A copy that shares no memory with the string it came from (see StringPool). */
function detach(value: string): string {
  return (' ' + value).slice(1);
}

function describePlace(place: ItemPlace): string {
  return place.page === null
    ? `item ${place.index} of the array`
    : `item ${place.index} of page ${place.page}`;
}

async function readListingFile(
  path: string,
  shape: ListingShape,
  progress: NodeJS.WritableStream | undefined,
  sink: ItemSink,
): Promise<void> {
  const size = await fileSize(path);
  const { jsonParser, Assembler } = await loadStreamJson();
  const tokenize = jsonParser({ packValues: true, streamValues: false });
  const walker = new ListingWalker(path, shape, new Assembler(), sink);
  const bar = progressBar(progress, size, path);

  try {
    await feedFile(path, tokenize, walker, bar);
  } finally {
    bar?.stop();
  }
  walker.finish();
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    throw invalid(path, `cannot read the file: ${errorText(error)}`);
  }
}

async function feedFile(
  path: string,
  tokenize: TokenSource,
  walker: ListingWalker,
  bar: SingleBar | null,
): Promise<void> {
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES });
  let first = true;

  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const text = first && chunk.startsWith(BYTE_ORDER_MARK) ? chunk.slice(1) : chunk;
      first = false;

      const tokens = tokenize(text);
      if (typeof tokens !== 'symbol') walker.consumeAll(tokens.values);
      bar?.update(input.bytesRead);
    }
  } catch (error) {
    if (error instanceof InventoryError) throw error;
    if (isSystemError(error)) throw invalid(path, `cannot read the file: ${error.message}`);
    throw invalid(
      path,
      `not valid JSON in its first ${input.bytesRead} bytes: ${errorText(error)}`,
    );
  }
}

/** Failures of the file itself (EISDIR, EIO…) rather than of its content. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

function progressBar(
  stream: NodeJS.WritableStream | undefined,
  size: number,
  path: string,
): SingleBar | null {
  if (stream === undefined || size < PROGRESS_MIN_BYTES) return null;
  if ((stream as Partial<WriteStream>).isTTY !== true) return null;

  const bar = new SingleBar({
    stream,
    format: `reading ${basename(path)} [{bar}] {percentage}% | {value} of {total}`,
    hideCursor: true,
    clearOnComplete: true,
    formatValue: (value, _options, type) =>
      type === 'value' || type === 'total' ? mebibytes(value) : String(value),
  });
  bar.start(size, 0);
  return bar;
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

interface StreamJson {
  readonly jsonParser: (options: { packValues: boolean; streamValues: boolean }) => TokenSource;
  readonly Assembler: new () => Assembler;
}

/**
 * stream-json is an ES module and this project compiles to CommonJS; a dynamic import is the
 * one way that works in the build, under tsx and under vitest alike.
 */
let streamJson: Promise<StreamJson> | undefined;

function loadStreamJson(): Promise<StreamJson> {
  streamJson ??= Promise.all([
    import('stream-json/core/parser.js'),
    import('stream-json/core/assembler.js'),
  ]).then(([parser, assembler]) => ({
    jsonParser: parser.jsonParser,
    Assembler: assembler.Assembler,
  }));
  return streamJson;
}

interface PageFacts {
  readonly totalCount: number | null;
  readonly pageNumber: number | null;
  readonly nextToken: string | null;
  /** Distinct items on the page, counting those without an id. */
  readonly found: number;
}

/** Consecutive pages of one listing, judged together when the run ends. */
interface PageRun {
  readonly firstPage: number;
  last: PageFacts;
  totalCount: number | null;
  found: number;
  pages: number;
  byNextToken: boolean;
}

/** An object being read: a response body (page) or, in a bare array, an item. */
interface ObjectFrame {
  readonly kind: 'object';
  readonly fields: Record<string, unknown>;
  key: string | null;
  isPage: boolean;
  found: number;
  listed: number;
}

type Frame =
  | ObjectFrame
  | { readonly kind: 'array' }
  | { readonly kind: 'wrapper'; key: string | null }
  | { readonly kind: 'items' };

const SCALAR_TOKENS: ReadonlySet<Token['name']> = new Set([
  'stringValue',
  'numberValue',
  'nullValue',
  'trueValue',
  'falseValue',
]);

/**
 * Follows the token stream of one file. Response bodies and their page fields are read
 * field by field; each item of the wrapper's array is assembled on its own and handed to the
 * sink, then dropped, so memory holds one item's tree at a time.
 */
class ListingWalker {
  private readonly stack: Frame[] = [];
  private assembling = false;
  private started = false;
  private pagesSeen = 0;
  private bareItems = 0;
  private run: PageRun | null = null;

  constructor(
    private readonly path: string,
    private readonly shape: ListingShape,
    private readonly assembler: Assembler,
    private readonly sink: ItemSink,
  ) {}

  consumeAll(tokens: readonly Token[]): void {
    for (const token of tokens) this.consume(token);
  }

  finish(): void {
    if (!this.started) throw this.wrongShape('no JSON object or array');
    if (this.stack.length > 0 || this.assembling) {
      throw invalid(this.path, 'the file ends before its JSON value does (cut short?)');
    }
    this.closeRun();
  }

  private consume(token: Token): void {
    if (this.assembling) {
      this.assembler.consume(token);
      if (this.assembler.done) this.valueDone(this.assembler.current);
      return;
    }

    const frame = this.stack.at(-1);
    if (token.name === 'keyValue') return this.keyRead(frame, token.value);
    if (token.name === 'endObject' || token.name === 'endArray') return this.containerEnd();
    this.valueStart(frame, token);
  }

  private keyRead(frame: Frame | undefined, key: string): void {
    if (frame?.kind === 'object' || frame?.kind === 'wrapper') frame.key = key;
  }

  private valueStart(frame: Frame | undefined, token: Token): void {
    if (frame === undefined) return this.topValueStart(token);

    const opensObject = token.name === 'startObject';
    const opensArray = token.name === 'startArray';
    if (frame.kind === 'array' && opensObject) return this.push(objectFrame());
    if (frame.kind === 'object' && frame.key === this.shape.wrapperKey && opensObject) {
      frame.isPage = true;
      return this.push({ kind: 'wrapper', key: null });
    }
    if (frame.kind === 'wrapper' && frame.key === this.shape.itemKey && opensArray) {
      return this.push({ kind: 'items' });
    }
    this.assemble(token);
  }

  private topValueStart(token: Token): void {
    if (this.started) throw this.wrongShape('more than one JSON value');
    this.started = true;

    if (token.name === 'startObject') return this.push(objectFrame());
    if (token.name === 'startArray') return this.push({ kind: 'array' });
    throw this.wrongShape('a single value that is neither an object nor an array');
  }

  private assemble(token: Token): void {
    this.assembler.consume(token);
    if (SCALAR_TOKENS.has(token.name)) return this.valueDone(this.assembler.current);
    this.assembling = true;
  }

  /** A whole value below the current frame has been read. */
  private valueDone(value: unknown): void {
    this.assembling = false;
    const frame = this.stack.at(-1);

    if (frame?.kind === 'items') return this.itemRead(value, this.stack.at(-3));
    if (frame?.kind === 'array') throw this.wrongShape(`an array element that is not an object`);
    if (frame?.kind === 'object' && frame.key !== null) {
      if (frame.key === this.shape.wrapperKey) throw this.wrongWrapper();
      frame.fields[frame.key] = value;
      frame.key = null;
      return;
    }
    if (frame?.kind === 'wrapper' && frame.key === this.shape.itemKey) throw this.wrongWrapper();
  }

  private itemRead(value: unknown, page: Frame | undefined): void {
    if (page?.kind !== 'object') return;
    page.listed += 1;
    const place = { page: this.pagesSeen + 1, index: page.listed };
    if (this.sink(value, place)) page.found += 1;
  }

  private containerEnd(): void {
    const frame = this.stack.pop();
    if (frame?.kind !== 'object') return;

    if (frame.isPage) return this.pageRead(frame);
    if (this.stack.length === 0) throw this.wrongShape(`an object without ${this.wrapperPath()}`);
    this.bareItemRead(frame.fields);
  }

  private bareItemRead(fields: Record<string, unknown>): void {
    if (this.pagesSeen > 0) throw this.mixedArray();
    this.bareItems += 1;
    this.sink(fields, { page: null, index: this.bareItems });
  }

  private pageRead(frame: ObjectFrame): void {
    if (this.bareItems > 0) throw this.mixedArray();
    this.pagesSeen += 1;

    const page: PageFacts = {
      totalCount: wholeNumber(frame.fields.TotalCount),
      pageNumber: wholeNumber(frame.fields.PageNumber),
      nextToken: nonEmptyText(frame.fields.NextToken),
      found: frame.found,
    };
    if (this.run !== null && continues(this.run.last, page)) return extendRun(this.run, page);

    this.closeRun();
    this.run = {
      firstPage: this.pagesSeen,
      last: page,
      totalCount: page.totalCount,
      found: page.found,
      pages: 1,
      byNextToken: page.nextToken !== null,
    };
  }

  private closeRun(): void {
    const run = this.run;
    this.run = null;
    if (run === null) return;

    const pages = describePages(run);
    if (run.last.nextToken !== null) {
      throw this.incomplete(
        `found ${run.found} ${this.shape.noun}s in ${pages}, but the last page still has a NextToken: later pages were not saved`,
      );
    }
    if (!run.byNextToken && run.totalCount !== null && run.found < run.totalCount) {
      throw this.incomplete(
        `found ${run.found} ${this.shape.noun}s in ${pages}, but TotalCount promised ${run.totalCount}`,
      );
    }
  }

  private push(frame: Frame): void {
    this.stack.push(frame);
  }

  private wrapperPath(): string {
    return `${this.shape.wrapperKey}.${this.shape.itemKey}`;
  }

  private wrongShape(found: string): InventoryError {
    const { action, itemKey } = this.shape;
    return invalid(
      this.path,
      `found ${found}; expected a ${action} response body ({TotalCount, PageNumber, PageSize, ${this.shape.wrapperKey}: {${itemKey}: [...]}}), an array of such bodies, or an array of ${itemKey} objects`,
    );
  }

  private wrongWrapper(): InventoryError {
    return this.wrongShape(`a ${this.shape.wrapperKey} that is not an object holding an array`);
  }

  private mixedArray(): InventoryError {
    return this.wrongShape(
      `an array mixing response bodies and bare ${this.shape.itemKey} objects`,
    );
  }

  private incomplete(detail: string): InventoryError {
    return new InventoryError(
      'INVENTORY_INCOMPLETE',
      this.path,
      `${this.path}: incomplete ${this.shape.action} listing: ${detail}. Save every page (for example aliyun ecs ${this.shape.action} --pager) and plan again; nothing was planned.`,
    );
  }
}

function objectFrame(): ObjectFrame {
  return { kind: 'object', fields: {}, key: null, isPage: false, found: 0, listed: 0 };
}

/** A page continues a run when the previous one pointed on with NextToken or numbers follow. */
function continues(previous: PageFacts, page: PageFacts): boolean {
  if (previous.nextToken !== null) return true;
  return (
    previous.pageNumber !== null &&
    page.pageNumber !== null &&
    page.pageNumber === previous.pageNumber + 1
  );
}

function extendRun(run: PageRun, page: PageFacts): void {
  run.last = page;
  run.pages += 1;
  run.found += page.found;
  run.byNextToken ||= page.nextToken !== null;
  if (page.totalCount !== null) run.totalCount = Math.max(run.totalCount ?? 0, page.totalCount);
}

function describePages(run: PageRun): string {
  if (run.pages === 1) return `page ${run.firstPage} of the file`;
  return `pages ${run.firstPage}-${run.firstPage + run.pages - 1} of the file`;
}

function invalid(path: string, detail: string): InventoryError {
  return new InventoryError('INVENTORY_INVALID', path, `${path}: ${detail}`);
}

function wholeNumber(value: unknown): number | null {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : null;
}

function nonEmptyText(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
