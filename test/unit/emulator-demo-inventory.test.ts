import { describe, expect, it } from 'vitest';

import { demoInventory, parseEmulatorInventory, type ApiSnapshot } from '../../src/emulator';

const NOW = new Date('2026-12-01T00:00:00Z');
const DAY_MS = 86_400_000;

const inventory = demoInventory(NOW, 1);
const { snapshots, disks, images } = inventory;

function count(predicate: (s: ApiSnapshot) => boolean): number {
  return snapshots.filter(predicate).length;
}

function hasTag(s: ApiSnapshot, key: string, value: string): boolean {
  return (s.Tags?.Tag ?? []).some((t) => t.TagKey === key && t.TagValue === value);
}

function ageDays(s: ApiSnapshot): number {
  return (NOW.getTime() - Date.parse(s.CreationTime)) / DAY_MS;
}

describe('demoInventory', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(demoInventory(NOW, 1)).toEqual(inventory);
    expect(demoInventory(NOW, 2)).not.toEqual(inventory);
  });

  it('dates everything relative to now', () => {
    const later = demoInventory(new Date(NOW.getTime() + 10 * DAY_MS), 1);
    const newest = (list: readonly ApiSnapshot[]) =>
      Math.max(...list.map((s) => Date.parse(s.CreationTime)));

    expect(newest(later.snapshots) - newest(snapshots)).toBe(10 * DAY_MS);
    expect(snapshots.every((s) => Date.parse(s.CreationTime) < NOW.getTime())).toBe(true);
  });

  it('passes the inventory validation, with unique ids', () => {
    expect(parseEmulatorInventory(structuredClone(inventory))).toBeDefined();
  });

  it('spans two regions, about 36 source disks, 6 of them released', () => {
    const sourceDisks = new Set(snapshots.map((s) => s.SourceDiskId));
    const live = new Set(disks.map((d) => d.DiskId));
    const released = [...sourceDisks].filter((id) => !live.has(id));

    expect(new Set(snapshots.map((s) => s.RegionId))).toEqual(
      new Set(['cn-hangzhou', 'cn-shanghai']),
    );
    expect(sourceDisks.size).toBe(36);
    expect(released).toHaveLength(6);
    expect(snapshots.length).toBeGreaterThan(300);
    expect(snapshots.length).toBeLessThan(700);
  });

  it('has daily automatic snapshots 45 to 60 days back on live disks, some of them timer', () => {
    const live = new Set(disks.map((d) => d.DiskId));
    const autos = snapshots.filter((s) => s.SnapshotType !== 'user' && live.has(s.SourceDiskId));
    const oldestAuto = Math.max(...autos.map(ageDays));

    expect(oldestAuto).toBeGreaterThan(44);
    expect(oldestAuto).toBeLessThan(61);
    expect(count((s) => s.SnapshotType === 'timer')).toBeGreaterThan(20);
    expect(snapshots.some((s) => /^auto-\d{4}-\d{2}-\d{2}-0300$/.test(s.SnapshotName ?? ''))).toBe(
      true,
    );
  });

  it('has weekly manual snapshots, CI scratch snapshots and protected ones', () => {
    expect(count((s) => s.SnapshotName?.startsWith('weekly-') === true)).toBeGreaterThan(40);
    const ci = snapshots.filter((s) => hasTag(s, 'env', 'ci'));
    expect(ci.length).toBeGreaterThanOrEqual(20);
    expect(ci.every((s) => s.SnapshotType === 'user' && ageDays(s) <= 14)).toBe(true);
    expect(count((s) => hasTag(s, 'retain', 'true'))).toBe(8);
  });

  it('pins 4 snapshots with images of several statuses and 3 with disks', () => {
    const byImage = images.flatMap((i) =>
      i.DiskDeviceMappings.DiskDeviceMapping.map((m) => m.SnapshotId),
    );
    const byDisk = disks.flatMap((d) => (d.SourceSnapshotId ? [d.SourceSnapshotId] : []));
    const known = new Set(snapshots.map((s) => s.SnapshotId));

    expect(byImage).toHaveLength(4);
    expect(byDisk).toHaveLength(3);
    expect([...byImage, ...byDisk].every((id) => known.has(id))).toBe(true);
    expect(new Set(images.map((i) => i.Status))).toEqual(
      new Set(['Available', 'Deprecated', 'Creating']),
    );
  });

  it('has two progressing snapshots, one stuck for over a day, and three failed', () => {
    const progressing = snapshots.filter((s) => s.Status === 'progressing').map(ageDays);

    expect(progressing).toHaveLength(2);
    expect(progressing.filter((days) => days > 1)).toHaveLength(1);
    expect(count((s) => s.Status === 'failed')).toBe(3);
  });

  it('uses API wire types: SourceDiskSize a string of 20 to 500 GiB, tags as arrays', () => {
    const sizes = snapshots.map((s) => Number(s.SourceDiskSize));

    expect(snapshots.every((s) => typeof s.SourceDiskSize === 'string')).toBe(true);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
    expect(snapshots.every((s) => Array.isArray(s.Tags?.Tag))).toBe(true);
    expect(new Set(snapshots.flatMap((s) => s.Tags?.Tag.map((t) => t.TagKey)))).toEqual(
      new Set(['team', 'env', 'retain']),
    );
  });
});
