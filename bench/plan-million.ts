import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runPlan } from '../src/app/plan';
import { loadConfig } from '../src/config/load';

/**
 * The offline plan at scale: writes a 100,000- and a 1,000,000-snapshot inventory (paged
 * DescribeSnapshots bodies, plus a DescribeDisks list with some disks released), plans each
 * with the default config and streams the JSON plan to a byte counter. Prints elapsed time,
 * peak RSS and the 1M / 100k ratio, measured side by side in one process.
 *
 *   npx tsx bench/plan-million.ts [largeCount]
 */

const SNAPSHOTS_PER_DISK = 50;
/** Every this many disks one is missing from the disk list, so its snapshots are orphans. */
const RELEASED_EVERY = 20;
const PAGE_SIZE = 100;
const NOW = new Date('2026-12-01T00:00:00Z');
const DAY_MS = 86_400_000;

interface Measure {
  readonly count: number;
  readonly fileMiB: number;
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly outputMiB: number;
  readonly deletions: number;
}

async function main(): Promise<void> {
  const largeCount = Number(process.argv[2] ?? 1_000_000);
  const dir = await mkdtemp(join(tmpdir(), 'reaper-bench-'));

  try {
    const small = await measure(dir, largeCount / 10);
    const large = await measure(dir, largeCount);
    report([small, large]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string, count: number): Promise<Measure> {
  const inventoryPath = join(dir, `inventory-${count}.json`);
  const disksPath = join(dir, `disks-${count}.json`);
  await writeInventory(inventoryPath, count);
  await writeDisks(disksPath, Math.ceil(count / SNAPSHOTS_PER_DISK));
  const fileMiB = (await stat(inventoryPath)).size / 2 ** 20;

  const config = await loadConfig({ overrides: { safety: { maxDeletionsPerRun: 10_000_000 } } });
  const out = new ByteCounter();
  const started = process.hrtime.bigint();
  const plan = await runPlan({ config, inventoryPath, disksPath, now: NOW, output: 'json', out });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  return {
    count,
    fileMiB,
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    outputMiB: out.bytes / 2 ** 20,
    deletions: plan.summary.delete,
  };
}

/** One snapshot a day per disk, newest first, as DescribeSnapshots pages. */
async function writeInventory(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('[');
  for (let first = 0; first < count; first += PAGE_SIZE) {
    const items: string[] = [];
    for (let n = first; n < Math.min(first + PAGE_SIZE, count); n += 1) items.push(snapshotJson(n));

    const body = `{"RequestId":"bench","TotalCount":${count},"PageNumber":${first / PAGE_SIZE + 1},"PageSize":${PAGE_SIZE},"Snapshots":{"Snapshot":[${items.join(',')}]}}`;
    if (!out.write(`${first === 0 ? '' : ','}${body}`)) await once(out, 'drain');
  }
  out.end(']');
  await once(out, 'finish');
}

function snapshotJson(n: number): string {
  const disk = Math.floor(n / SNAPSHOTS_PER_DISK);
  const age = n % SNAPSHOTS_PER_DISK;
  const time = new Date(NOW.getTime() - age * DAY_MS - 5 * 3_600_000).toISOString();
  return JSON.stringify({
    SnapshotId: `s-bp1${n.toString(16).padStart(17, '0')}`,
    SnapshotName: `auto_${n}`,
    CreationTime: time.replace('.000Z', 'Z'),
    LastModifiedTime: time.replace('.000Z', 'Z'),
    Status: 'accomplished',
    Progress: '100%',
    SourceDiskId: diskId(disk),
    SourceDiskSize: '40',
    SourceDiskType: 'data',
    SnapshotType: n % 3 === 0 ? 'user' : 'auto',
    Usage: n % 1000 === 7 ? 'image' : 'none',
    Category: 'standard',
    Encrypted: false,
    RegionId: disk % 2 === 0 ? 'cn-hangzhou' : 'cn-shanghai',
    ResourceGroupId: 'rg-acfmbench',
    RetentionDays: 30,
    Tags: { Tag: [{ TagKey: 'env', TagValue: n % 10 === 0 ? 'ci' : 'prod' }] },
  });
}

async function writeDisks(path: string, diskCount: number): Promise<void> {
  const out = createWriteStream(path);
  const ids: string[] = [];
  for (let disk = 0; disk < diskCount; disk += 1) {
    if (disk % RELEASED_EVERY !== RELEASED_EVERY - 1)
      ids.push(JSON.stringify({ DiskId: diskId(disk) }));
  }
  out.end(`[${ids.join(',')}]`);
  await once(out, 'finish');
}

function diskId(disk: number): string {
  return `d-bp1${disk.toString(16).padStart(12, '0')}`;
}

class ByteCounter extends Writable {
  bytes = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.bytes += chunk.length;
    done();
  }
}

function report(measures: readonly Measure[]): void {
  for (const m of measures) {
    console.log(
      `${m.count.toLocaleString('en-US').padStart(9)} snapshots  file ${m.fileMiB.toFixed(0)} MiB  plan ${m.seconds.toFixed(1)} s  peak RSS ${m.peakRssMiB.toFixed(0)} MiB  JSON out ${m.outputMiB.toFixed(0)} MiB  deletions ${m.deletions.toLocaleString('en-US')}`,
    );
  }

  const [small, large] = measures;
  if (small === undefined || large === undefined) return;
  const timeRatio = large.seconds / small.seconds;
  const sizeRatio = large.count / small.count;
  console.log(
    `ratio ${large.count.toLocaleString('en-US')} / ${small.count.toLocaleString('en-US')}: time x${timeRatio.toFixed(1)} for x${sizeRatio} the snapshots (linear would be x${sizeRatio})`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
