import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InventoryError,
  readDiskInventory,
  readSnapshotInventory,
  type InventoryErrorCode,
} from '../../src/app/inventory-file';

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reaper-inventory-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;

async function fileWith(content: unknown): Promise<string> {
  fileCount += 1;
  const path = join(dir, `inventory-${fileCount}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function apiSnapshot(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    SnapshotId: `s-${n}`,
    RegionId: 'cn-shanghai',
    CreationTime: '2026-11-01T03:00:00Z',
    Status: 'accomplished',
    SnapshotType: 'auto',
    SourceDiskId: 'd-1',
    SourceDiskSize: '40',
    Usage: 'none',
    Tags: { Tag: [{ TagKey: 'env', TagValue: 'prod' }] },
    ...extra,
  };
}

function page(
  pageNumber: number,
  totalCount: number,
  items: readonly unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    RequestId: `r-${pageNumber}`,
    TotalCount: totalCount,
    PageNumber: pageNumber,
    PageSize: 2,
    Snapshots: { Snapshot: items },
    ...extra,
  };
}

async function read(path: string) {
  return readSnapshotInventory(path, { fallbackRegionId: 'cn-hangzhou' });
}

async function failure(promise: Promise<unknown>): Promise<InventoryError> {
  const error: unknown = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InventoryError);
  return error as InventoryError;
}

async function expectCode(promise: Promise<unknown>, code: InventoryErrorCode): Promise<string> {
  const error = await failure(promise);
  expect(error.code).toBe(code);
  return error.message;
}

describe('readSnapshotInventory: accepted forms', () => {
  it('reads one DescribeSnapshots response body with the API field names', async () => {
    const path = await fileWith(page(1, 2, [apiSnapshot(1), apiSnapshot(2, { RegionId: '' })]));

    const { snapshots, warnings } = await read(path);

    expect(warnings).toEqual([]);
    expect(snapshots).toEqual([
      {
        snapshotId: 's-1',
        regionId: 'cn-shanghai',
        snapshotName: null,
        sourceDiskId: 'd-1',
        sourceDiskSize: '40',
        creationTime: '2026-11-01T03:00:00Z',
        status: 'accomplished',
        snapshotType: 'auto',
        usage: 'none',
        resourceGroupId: null,
        tags: [{ key: 'env', value: 'prod' }],
      },
      expect.objectContaining({ snapshotId: 's-2', regionId: 'cn-hangzhou' }),
    ]);
  });

  it('reads an array of pages in order', async () => {
    const path = await fileWith([
      page(1, 3, [apiSnapshot(1), apiSnapshot(2)]),
      page(2, 3, [apiSnapshot(3)]),
    ]);

    const { snapshots } = await read(path);

    expect(snapshots.map((snapshot) => snapshot.snapshotId)).toEqual(['s-1', 's-2', 's-3']);
  });

  it('reads a bare array of Snapshot objects', async () => {
    const path = await fileWith([apiSnapshot(1), apiSnapshot(2, { SourceDiskSize: 100 })]);

    const { snapshots } = await read(path);

    expect(snapshots.map((snapshot) => snapshot.sourceDiskSize)).toEqual(['40', '100']);
  });

  it('reads the pages of several listings, such as one per region', async () => {
    const path = await fileWith([
      page(1, 3, [apiSnapshot(1), apiSnapshot(2)]),
      page(2, 3, [apiSnapshot(3)]),
      page(1, 1, [apiSnapshot(4, { RegionId: 'cn-beijing' })]),
    ]);

    const { snapshots } = await read(path);

    expect(snapshots).toHaveLength(4);
  });

  it('accepts NextToken paging without checking TotalCount, which the API does not keep', async () => {
    const path = await fileWith([
      { TotalCount: 0, NextToken: 'next', Snapshots: { Snapshot: [apiSnapshot(1)] } },
      { TotalCount: 0, NextToken: '', Snapshots: { Snapshot: [apiSnapshot(2)] } },
    ]);

    const { snapshots } = await read(path);

    expect(snapshots).toHaveLength(2);
  });

  it('accepts a file that starts with a byte order mark', async () => {
    const path = await fileWith(`\uFEFF${JSON.stringify([apiSnapshot(1)])}`);

    const { snapshots } = await read(path);

    expect(snapshots).toHaveLength(1);
  });

  it('ignores fields it does not use, however nested', async () => {
    const nested = { Extra: { Deep: [1, { Snapshots: { Snapshot: [] } }] } };
    const path = await fileWith({
      TotalCount: 1,
      Snapshots: { Other: [1, { a: 2 }], Snapshot: [apiSnapshot(1, nested)], More: null },
      Trailer: { Snapshots: 'not this one' },
    });

    const { snapshots } = await read(path);

    expect(snapshots).toHaveLength(1);
  });
});

describe('readSnapshotInventory: findings', () => {
  it('counts and reports items without a SnapshotId instead of dropping them silently', async () => {
    const path = await fileWith([
      page(1, 3, [apiSnapshot(1), { CreationTime: '2026-11-01T03:00:00Z' }]),
      page(2, 3, [{ SnapshotId: '' }]),
    ]);

    const inventory = await read(path);

    expect(inventory.snapshots).toHaveLength(1);
    expect(inventory.withoutId).toBe(2);
    expect(inventory.warnings).toEqual([
      expect.stringMatching(/^2 item\(s\) in .* have no SnapshotId .* item 2 of page 1$/),
    ]);
  });

  it('plans a snapshot listed twice once, and says so', async () => {
    const path = await fileWith([apiSnapshot(1), apiSnapshot(2), apiSnapshot(1)]);

    const inventory = await read(path);

    expect(inventory.snapshots).toHaveLength(2);
    expect(inventory.duplicates).toBe(1);
    expect(inventory.warnings).toEqual([expect.stringContaining('listed more than once')]);
  });
});

describe('readSnapshotInventory: incomplete listings', () => {
  it('refuses pages that fall short of their TotalCount, with both numbers', async () => {
    const path = await fileWith([page(1, 5, [apiSnapshot(1), apiSnapshot(2)])]);

    const message = await expectCode(read(path), 'INVENTORY_INCOMPLETE');

    expect(message).toContain('found 2 snapshots');
    expect(message).toContain('TotalCount promised 5');
  });

  it('refuses a listing with a missing middle page', async () => {
    const path = await fileWith([
      page(1, 5, [apiSnapshot(1), apiSnapshot(2)]),
      page(3, 5, [apiSnapshot(5)]),
    ]);

    await expectCode(read(path), 'INVENTORY_INCOMPLETE');
  });

  it('refuses an empty page while TotalCount says more exist', async () => {
    const path = await fileWith(page(1, 3, []));

    await expectCode(read(path), 'INVENTORY_INCOMPLETE');
  });

  it('does not let a repeated page make up for a missing one', async () => {
    const first = page(1, 4, [apiSnapshot(1), apiSnapshot(2)]);
    const path = await fileWith([first, { ...first, PageNumber: 2 }]);

    await expectCode(read(path), 'INVENTORY_INCOMPLETE');
  });

  it('refuses a listing whose last page still has a NextToken', async () => {
    const path = await fileWith({ NextToken: 'more', Snapshots: { Snapshot: [apiSnapshot(1)] } });

    const message = await expectCode(read(path), 'INVENTORY_INCOMPLETE');

    expect(message).toContain('NextToken');
  });
});

describe('readSnapshotInventory: invalid files', () => {
  it.each([
    ['not JSON', '{"Snapshots": {"Snapshot": [}'],
    ['cut short', '[{"SnapshotId": "s-1"}, {"Snapsh'],
    ['empty', ''],
    ['a number', '42'],
    ['an object without Snapshots', '{"TotalCount": 1}'],
    ['Snapshots as a list', '{"Snapshots": []}'],
    ['Snapshot not a list', '{"Snapshots": {"Snapshot": {"SnapshotId": "s-1"}}}'],
    ['an array of strings', '["s-1"]'],
    ['pages mixed with bare snapshots', '[{"Snapshots": {"Snapshot": []}}, {"SnapshotId": "s-1"}]'],
    ['two JSON values', '[] []'],
  ])('refuses %s as INVENTORY_INVALID naming the file', async (_case, content) => {
    const path = await fileWith(content);

    const message = await expectCode(read(path), 'INVENTORY_INVALID');

    expect(message.startsWith(`${path}: `)).toBe(true);
  });

  it('says what was expected', async () => {
    const path = await fileWith('{"TotalCount": 1}');

    const message = await expectCode(read(path), 'INVENTORY_INVALID');

    expect(message).toContain('expected a DescribeSnapshots response body');
  });

  it.each([
    ['a missing file', 'missing.json'],
    ['a directory', '.'],
  ])('refuses %s as a file that cannot be read', async (_case, name) => {
    const message = await expectCode(read(join(dir, name)), 'INVENTORY_INVALID');

    expect(message).toContain('cannot read the file');
  });
});

describe('readDiskInventory', () => {
  const disks = (ids: readonly string[]) => ids.map((DiskId) => ({ DiskId, Status: 'In_use' }));

  it.each([
    ['a DescribeDisks body', { TotalCount: 2, Disks: { Disk: disks(['d-1', 'd-2']) } }],
    [
      'pages',
      [
        { TotalCount: 3, PageNumber: 1, PageSize: 2, Disks: { Disk: disks(['d-1', 'd-2']) } },
        { TotalCount: 3, PageNumber: 2, PageSize: 2, Disks: { Disk: disks(['d-3']) } },
      ],
    ],
    ['a bare array of Disk objects', disks(['d-1', 'd-2'])],
  ])('reads %s as the known disks', async (_form, content) => {
    const path = await fileWith(content);

    const inventory = await readDiskInventory(path);

    expect(inventory.kind).toBe('known');
    if (inventory.kind === 'known') expect([...inventory.diskIds]).toContain('d-2');
  });

  it('refuses a disk without a DiskId, which would make its snapshots look orphaned', async () => {
    const path = await fileWith([{ DiskId: 'd-1' }, { Status: 'In_use' }]);

    const message = await expectCode(readDiskInventory(path), 'INVENTORY_INVALID');

    expect(message).toContain('item 2 of the array has no DiskId');
  });

  it('refuses disk pages short of their TotalCount', async () => {
    const path = await fileWith({ TotalCount: 3, Disks: { Disk: disks(['d-1']) } });

    const message = await expectCode(readDiskInventory(path), 'INVENTORY_INCOMPLETE');

    expect(message).toContain('found 1 disks');
  });

  it('refuses a snapshot listing given as the disk list', async () => {
    const path = await fileWith(page(1, 1, [apiSnapshot(1)]));

    await expectCode(readDiskInventory(path), 'INVENTORY_INVALID');
  });
});

/** Writes `count` snapshots as pages of 100, the way a paged dump is saved, without one string. */
async function writeLargeInventory(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('[');
  for (let first = 0; first < count; first += 100) {
    const items: string[] = [];
    for (let n = first; n < Math.min(first + 100, count); n += 1) {
      items.push(JSON.stringify(apiSnapshot(n, { SourceDiskId: `d-${n % 997}` })));
    }
    const body = `{"TotalCount":${count},"PageNumber":${first / 100 + 1},"PageSize":100,"Snapshots":{"Snapshot":[${items.join(',')}]}}`;
    if (!out.write(`${first === 0 ? '' : ','}${body}`)) await once(out, 'drain');
  }
  out.end(']');
  await once(out, 'finish');
}

function fakeTerminal(): PassThrough & { isTTY: boolean; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return Object.assign(stream, {
    isTTY: true,
    columns: 100,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    text: () => Buffer.concat(chunks).toString('utf8'),
  });
}

describe('readSnapshotInventory: large files', () => {
  const largeCount = 200_000;
  let path = '';

  beforeAll(async () => {
    path = join(dir, 'large.json');
    await writeLargeInventory(path, largeCount);
  }, 120_000);

  it('stream-reads 200,000 snapshots and draws progress on a terminal', async () => {
    const terminal = fakeTerminal();

    const inventory = await readSnapshotInventory(path, {
      fallbackRegionId: 'cn-hangzhou',
      progress: terminal,
    });

    expect(inventory.snapshots).toHaveLength(largeCount);
    expect(inventory.warnings).toEqual([]);
    expect(inventory.snapshots[0]?.snapshotId).toBe('s-0');
    expect(inventory.snapshots[199_999]).toMatchObject({
      snapshotId: 's-199999',
      sourceDiskId: `d-${199_999 % 997}`,
      tags: [{ key: 'env', value: 'prod' }],
    });
    expect(terminal.text()).toContain('reading large.json');
  }, 120_000);

  it('draws nothing for a small file, or on a stream that is not a terminal', async () => {
    const small = await fileWith([apiSnapshot(1)]);
    const terminal = fakeTerminal();
    const pipe = new PassThrough();
    let piped = 0;
    pipe.on('data', (chunk: Buffer) => (piped += chunk.length));

    await readSnapshotInventory(small, { fallbackRegionId: 'x', progress: terminal });
    await readSnapshotInventory(path, { fallbackRegionId: 'x', progress: pipe });

    expect(terminal.text()).toBe('');
    expect(piped).toBe(0);
  }, 120_000);
});
