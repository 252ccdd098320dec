import { seededRandom, type Random } from './random';
import type {
  ApiDisk,
  ApiImage,
  ApiSnapshot,
  ApiTag,
  EmulatorInventory,
  ImageStatus,
  SnapshotStatus,
  SnapshotType,
} from './types';

/**
 * A realistic demo account: two regions, 36 source disks (6 of them released, leaving orphan
 * snapshots), daily automatic snapshots going back 45 to 60 days on some disks, weekly manual
 * ones on others, CI scratch snapshots tagged `env=ci`, a few protected by `retain=true`,
 * four pinned by custom images, three by disks created from them, two still progressing (one
 * stuck for over a day) and three failed. Everything is dated relative to `now` and decided
 * by `seed`, so a seed always yields the same account.
 */
export function demoInventory(now: Date, seed = 1): EmulatorInventory {
  const builder = new DemoBuilder(now, seededRandom(seed));
  REGIONS.forEach((region) => builder.addRegion(region));
  builder.pinWithImages(IMAGE_STATUSES);
  builder.pinWithDisks(3);
  builder.protect(8);
  builder.markFailed(3);
  builder.markStuck();
  return builder.build();
}

type Profile = 'daily' | 'weekly' | 'light' | 'ci' | 'released';

interface RegionPlan {
  readonly regionId: string;
  readonly zoneId: string;
  /** Alibaba ids carry a region-specific prefix, e.g. `d-bp1…` in Hangzhou. */
  readonly idPrefix: string;
  readonly profiles: Readonly<Record<Profile, number>>;
}

interface DemoDisk {
  readonly disk: ApiDisk;
  readonly region: RegionPlan;
  readonly sizeGiB: number;
  readonly tags: readonly ApiTag[];
  readonly linkId: string;
}

const REGIONS: readonly RegionPlan[] = [
  {
    regionId: 'cn-hangzhou',
    zoneId: 'cn-hangzhou-h',
    idPrefix: 'bp1',
    profiles: { daily: 2, weekly: 6, light: 9, ci: 2, released: 3 },
  },
  {
    regionId: 'cn-shanghai',
    zoneId: 'cn-shanghai-l',
    idPrefix: 'uf6',
    profiles: { daily: 1, weekly: 4, light: 5, ci: 1, released: 3 },
  },
];

const IMAGE_STATUSES: readonly ImageStatus[] = ['Available', 'Deprecated', 'Available', 'Creating'];
const TEAMS = ['payments', 'search', 'platform', 'data'];
const ENVS = ['prod', 'prod', 'staging'];
const SIZES_GIB = [20, 40, 40, 100, 200, 500];
const DAY_MS = 86_400_000;
/** 03:00 in Asia/Shanghai, when the automatic snapshot policy fires. */
const AUTO_HOUR_UTC = 19;

class DemoBuilder {
  private readonly snapshots: ApiSnapshot[] = [];
  private readonly disks: ApiDisk[] = [];
  private readonly images: ApiImage[] = [];
  private readonly ids = new Set<string>();
  /** Snapshots already given a role (image, disk, tag, failure), so roles never overlap. */
  private readonly claimed = new Set<string>();
  private ciBuild = 4100;
  private dailyDisks = 0;

  constructor(
    private readonly now: Date,
    private readonly random: Random,
  ) {}

  addRegion(region: RegionPlan): void {
    for (const [profile, count] of Object.entries(region.profiles) as [Profile, number][]) {
      for (let n = 0; n < count; n += 1) this.addDisk(region, profile, n);
    }
  }

  build(): EmulatorInventory {
    return { snapshots: this.snapshots, disks: this.disks, images: this.images };
  }

  /** Custom images made from old snapshots that a policy would otherwise delete. */
  pinWithImages(statuses: readonly ImageStatus[]): void {
    this.oldSnapshots(statuses.length, 40).forEach((snapshot, n) => {
      this.images.push(this.image(snapshot, statuses[n] ?? 'Available', n));
    });
  }

  /** Disks restored from old snapshots, so those snapshots are in use by a disk. */
  pinWithDisks(count: number): void {
    this.oldSnapshots(count, 35).forEach((snapshot, n) => {
      const region = regionOf(snapshot.RegionId);
      const created = new Date(Date.parse(snapshot.CreationTime) + DAY_MS);
      this.disks.push({
        ...this.diskBase(region, `restored-${n + 1}`, Number(snapshot.SourceDiskSize), created),
        SourceSnapshotId: snapshot.SnapshotId,
      });
    });
  }

  protect(count: number): void {
    this.oldSnapshots(count, 20).forEach((snapshot) => {
      const tags = [...(snapshot.Tags?.Tag ?? []), { TagKey: 'retain', TagValue: 'true' }];
      this.replace(snapshot, { Tags: { Tag: tags } });
    });
  }

  markFailed(count: number): void {
    this.oldSnapshots(count, 3).forEach((snapshot) => {
      this.replace(snapshot, { Status: 'failed', Progress: '0%', Available: false });
    });
  }

  /** One snapshot taken moments ago and one stuck in `progressing` for over a day. */
  markStuck(): void {
    const [disk] = this.disks;
    if (!disk) return;

    const stuckSince = new Date(this.now.getTime() - 30 * 3_600_000);
    this.addSnapshot(this.demoDiskOf(disk), 'user', stuckSince, 'pre-migration', 'progressing');
    const justNow = new Date(this.now.getTime() - 20 * 60_000);
    this.addSnapshot(this.demoDiskOf(disk), 'user', justNow, 'hotfix-backup', 'progressing');
  }

  private addDisk(region: RegionPlan, profile: Profile, n: number): void {
    const name = `${this.random.pick(TEAMS)}-${profile}-${n + 1}`;
    const created = this.daysAgo(this.random.int(120, 400));
    const disk = this.diskBase(region, name, this.random.pick(SIZES_GIB), created);
    const demo = this.demoDiskOf(disk, profile === 'ci' ? 'ci' : this.random.pick(ENVS));

    if (profile !== 'released') this.disks.push(disk);
    SNAPSHOT_PLANS[profile](this, demo);
  }

  private demoDiskOf(disk: ApiDisk, env?: string): DemoDisk {
    const tags = disk.Tags?.Tag ?? [];
    const withEnv = env === undefined ? tags : [...tags, { TagKey: 'env', TagValue: env }];
    return {
      disk,
      region: regionOf(disk.RegionId),
      sizeGiB: disk.Size ?? 40,
      tags: withEnv,
      linkId: `sl-${disk.DiskId.slice(2)}`,
    };
  }

  private diskBase(region: RegionPlan, name: string, sizeGiB: number, created: Date): ApiDisk {
    const team = name.split('-')[0] ?? 'platform';
    const attached = this.random.chance(0.8);
    return {
      DiskId: this.newId('d', region),
      DiskName: name,
      RegionId: region.regionId,
      ZoneId: region.zoneId,
      Status: attached ? 'In_use' : 'Available',
      Type: this.random.chance(0.3) ? 'system' : 'data',
      Category: 'cloud_essd',
      Size: sizeGiB,
      ...(attached && { InstanceId: this.newId('i', region) }),
      CreationTime: iso(created),
      SourceSnapshotId: '',
      ResourceGroupId: `rg-demo-${team}`,
      Tags: { Tag: [{ TagKey: 'team', TagValue: team }] },
    };
  }

  /** Daily automatic snapshots at 03:00 Shanghai time, for `days` days back from today. */
  daily(demo: DemoDisk, days: number, type: SnapshotType, endDaysAgo = 0): void {
    for (let day = endDaysAgo; day < endDaysAgo + days; day += 1) {
      const at = this.autoTime(day);
      if (at.getTime() < this.now.getTime()) this.addSnapshot(demo, type, at, autoName(at));
    }
  }

  weekly(demo: DemoDisk, weeks: number): void {
    const weekday = this.random.int(0, 6);
    for (let week = 0; week < weeks; week += 1) {
      const at = new Date(this.autoTime(weekday + 7 * week).getTime() - 6 * 3_600_000);
      this.addSnapshot(demo, 'user', at, `weekly-${iso(at).slice(0, 10)}`);
    }
  }

  manual(demo: DemoDisk, name: string, daysAgo: number): void {
    this.addSnapshot(demo, 'user', this.daysAgo(daysAgo), name);
  }

  ciScratch(demo: DemoDisk, count: number): void {
    for (let n = 0; n < count; n += 1) {
      const at = new Date(this.now.getTime() - this.random.int(2, 14 * 24) * 3_600_000);
      this.ciBuild += this.random.int(1, 9);
      this.addSnapshot(demo, 'user', at, `ci-build-${this.ciBuild}`);
    }
  }

  pickInt(min: number, max: number): number {
    return this.random.int(min, max);
  }

  /** Every other daily disk runs an older `timer` policy, which the API reports as automatic. */
  nextAutoType(): SnapshotType {
    this.dailyDisks += 1;
    return this.dailyDisks % 2 === 0 ? 'timer' : 'auto';
  }

  private addSnapshot(
    demo: DemoDisk,
    type: SnapshotType,
    at: Date,
    name: string,
    status: SnapshotStatus = 'accomplished',
  ): void {
    const done = status === 'accomplished';
    this.snapshots.push({
      SnapshotId: this.newId('s', demo.region),
      SnapshotName: name,
      Description: type === 'user' ? `${name} of ${demo.disk.DiskName ?? ''}` : '',
      RegionId: demo.region.regionId,
      SourceDiskId: demo.disk.DiskId,
      SourceDiskSize: String(demo.sizeGiB),
      SourceDiskType: demo.disk.Type ?? 'data',
      SourceStorageType: 'disk',
      CreationTime: iso(at),
      LastModifiedTime: iso(new Date(at.getTime() + (done ? 240_000 : 0))),
      Status: status,
      Progress: done ? '100%' : `${this.random.int(5, 60)}%`,
      RemainTime: done ? 0 : this.random.int(300, 3_600),
      SnapshotType: type,
      ...(type !== 'user' && { RetentionDays: 60 }),
      Category: 'standard',
      Available: done,
      Encrypted: false,
      InstantAccess: false,
      ResourceGroupId: demo.disk.ResourceGroupId ?? '',
      SnapshotSN: this.serialNumber(),
      SnapshotLinkId: demo.linkId,
      Tags: { Tag: [...demo.tags] },
    });
  }

  private serialNumber(): string {
    const middle = this.random.int(100_000_000, 999_999_999);
    return `64472-${middle}-${this.random.int(10_000, 99_999)}`;
  }

  private image(snapshot: ApiSnapshot, status: ImageStatus, n: number): ApiImage {
    const region = regionOf(snapshot.RegionId);
    const created = new Date(Date.parse(snapshot.CreationTime) + 3_600_000);
    return {
      ImageId: this.newId('m', region),
      ImageName: `golden-${snapshot.SourceDiskId.slice(-6)}-v${n + 1}`,
      RegionId: region.regionId,
      Status: status,
      ImageOwnerAlias: 'self',
      CreationTime: iso(created),
      Size: Number(snapshot.SourceDiskSize),
      OSType: 'linux',
      Architecture: 'x86_64',
      Progress: status === 'Creating' ? '60%' : '100%',
      ResourceGroupId: snapshot.ResourceGroupId ?? '',
      DiskDeviceMappings: {
        DiskDeviceMapping: [
          {
            SnapshotId: snapshot.SnapshotId,
            Size: snapshot.SourceDiskSize,
            Device: '/dev/xvda',
            Type: 'system',
            Format: '',
            Progress: '100%',
          },
        ],
      },
      Tags: { Tag: [] },
    };
  }

  /**
   * Picks `count` distinct accomplished snapshots older than `minDaysOld`, spread over the
   * account, that no earlier pick has claimed.
   */
  private oldSnapshots(count: number, minDaysOld: number): ApiSnapshot[] {
    const cutoff = this.now.getTime() - minDaysOld * DAY_MS;
    const pool = this.snapshots.filter((s) => this.claimable(s, cutoff));
    const picked: ApiSnapshot[] = [];
    while (picked.length < count && pool.length > 0) {
      const index = this.random.int(0, pool.length - 1);
      picked.push(...pool.splice(index, 1));
      this.claimed.add(picked.at(-1)?.SnapshotId ?? '');
    }
    return picked;
  }

  private claimable(snapshot: ApiSnapshot, cutoff: number): boolean {
    return (
      snapshot.Status === 'accomplished' &&
      Date.parse(snapshot.CreationTime) < cutoff &&
      !this.claimed.has(snapshot.SnapshotId) &&
      !snapshot.SnapshotName?.startsWith('ci-')
    );
  }

  private replace(snapshot: ApiSnapshot, changes: Partial<ApiSnapshot>): void {
    const index = this.snapshots.indexOf(snapshot);
    this.snapshots[index] = { ...snapshot, ...changes };
  }

  private autoTime(daysAgo: number): Date {
    const midnight = Date.UTC(
      this.now.getUTCFullYear(),
      this.now.getUTCMonth(),
      this.now.getUTCDate(),
    );
    const jitterMs = this.random.int(0, 240) * 1_000;
    return new Date(midnight - (daysAgo + 1) * DAY_MS + AUTO_HOUR_UTC * 3_600_000 + jitterMs);
  }

  private daysAgo(days: number): Date {
    return new Date(this.now.getTime() - days * DAY_MS - this.random.int(0, 3_600) * 1_000);
  }

  private newId(kind: string, region: RegionPlan): string {
    for (;;) {
      const body = Array.from({ length: 17 }, () => this.random.pick(ID_CHARS)).join('');
      const id = `${kind}-${region.idPrefix}${body}`;
      if (!this.ids.has(id)) {
        this.ids.add(id);
        return id;
      }
    }
  }
}

const ID_CHARS = [...'0123456789abcdefghijklmnopqrstuvwxyz'];

/** What each kind of disk accumulates. */
const SNAPSHOT_PLANS: Readonly<Record<Profile, (b: DemoBuilder, d: DemoDisk) => void>> = {
  daily: (b, d) => b.daily(d, b.pickInt(45, 60), b.nextAutoType()),
  weekly: (b, d) => {
    b.weekly(d, b.pickInt(6, 9));
    b.daily(d, 3, 'auto');
  },
  light: (b, d) => {
    b.daily(d, 7, 'auto');
    b.manual(d, 'before-upgrade', b.pickInt(20, 90));
  },
  ci: (b, d) => b.ciScratch(d, b.pickInt(9, 12)),
  released: (b, d) => {
    const releasedDaysAgo = b.pickInt(5, 60);
    b.daily(d, b.pickInt(7, 14), 'auto', releasedDaysAgo);
    b.manual(d, 'final', releasedDaysAgo);
  },
};

function regionOf(regionId: string): RegionPlan {
  const region = REGIONS.find((r) => r.regionId === regionId);
  if (!region) throw new Error(`no demo region ${regionId}`);
  return region;
}

function iso(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function autoName(at: Date): string {
  const local = new Date(at.getTime() + 8 * 3_600_000);
  return `auto-${local.toISOString().slice(0, 10)}-0300`;
}
