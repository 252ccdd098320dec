import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';

import { loadEmulatorInventory, parseEmulatorInventory, startEmulator } from '../../src/emulator';

const snapshot = {
  SnapshotId: 's-1',
  RegionId: 'cn-hangzhou',
  SourceDiskId: 'd-1',
  SourceDiskSize: 40,
  CreationTime: '2026-11-30T19:00:00Z',
  Status: 'accomplished',
  SnapshotType: 'auto',
  SnapshotSN: 'kept-as-is',
};

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-inventory-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('loadEmulatorInventory', () => {
  it('reads JSON and YAML alike, keeping fields it does not interpret', async () => {
    const data = { snapshots: [snapshot] };
    const fromJson = await loadEmulatorInventory(await fileWith('a.json', JSON.stringify(data)));
    const fromYaml = await loadEmulatorInventory(await fileWith('a.yaml', toYaml(data)));

    expect(fromYaml).toEqual(fromJson);
    expect(fromJson).toEqual({
      snapshots: [{ ...snapshot, SourceDiskSize: '40' }],
      disks: [],
      images: [],
    });
  });

  it('names the file when it is not JSON or YAML', async () => {
    const path = await fileWith('broken.json', '{ "snapshots": [');

    await expect(loadEmulatorInventory(path)).rejects.toThrow(`${path} is not valid JSON or YAML`);
  });
});

describe('parseEmulatorInventory', () => {
  it.each([
    [
      { ...snapshot, CreationTime: '2026-02-29T00:00:00Z' },
      /snapshots\[0\]\.CreationTime: expected a UTC time .* \(found "2026-02-29T00:00:00Z"\)/,
    ],
    [{ ...snapshot, Status: 'done' }, /snapshots\[0\]\.Status: .*\(found "done"\)/],
    [{ ...snapshot, SourceDiskSize: '40GiB' }, /snapshots\[0\]\.SourceDiskSize/],
    [{ ...snapshot, SnapshotId: undefined }, /snapshots\[0\]\.SnapshotId: .*\(missing\)/],
  ])('names the bad field and the value found (%#)', (bad, message) => {
    expect(() => parseEmulatorInventory({ snapshots: [bad] }, 'inv.yaml')).toThrow(message);
  });

  it('rejects duplicate ids, pointing at the first one', () => {
    const data = { snapshots: [snapshot, snapshot] };

    expect(() => parseEmulatorInventory(data)).toThrow(
      /snapshots\[1\]\.SnapshotId: duplicate SnapshotId "s-1" \(first at snapshots\[0\]\)/,
    );
  });

  it('rejects unknown top-level keys', () => {
    expect(() => parseEmulatorInventory({ snapshots: [], instances: [] })).toThrow(/instances/);
  });
});

describe('startEmulator', () => {
  it('refuses an invalid inventory before listening, naming the field', async () => {
    const inventory = { snapshots: [{ ...snapshot, Status: 'done' }], disks: [], images: [] };

    await expect(startEmulator({ inventory } as never)).rejects.toThrow(
      /options\.inventory is invalid:\nsnapshots\[0\]\.Status/,
    );
  });
});
