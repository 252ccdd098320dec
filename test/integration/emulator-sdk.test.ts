import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  demoInventory,
  type EmulatorInventory,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../src/emulator';
import {
  bodyOf,
  closeTestEmulators,
  diskFixture,
  EcsMod,
  imageFixture,
  sdkClient,
  snapshotFixture,
  startTestEmulator,
  type ClientOptions,
  type EcsClient,
} from '../support/emulator';

/**
 * The emulator as the official SDK sees it: every request below goes through
 * `@alicloud/ecs20140526` configured only with the emulator's endpoint and `protocol: 'http'`.
 */

const REGION = 'cn-hangzhou';

/**
 * 28 snapshots in cn-hangzhou (25 on d-test0001, 3 on d-test0002) and 2 in cn-shanghai.
 * s-test0010 is used by an Available image, s-test0011 by a Deprecated one, s-test0012 by a
 * disk, s-test0013 by both. Every fifth snapshot is `timer`, every seventh `user`.
 */
function fixtureInventory(): EmulatorInventory {
  const main = Array.from({ length: 25 }, (_, n) =>
    snapshotFixture(n, {
      SnapshotType: n % 5 === 1 ? 'timer' : n % 7 === 3 ? 'user' : 'auto',
      Status: n === 0 ? 'progressing' : n === 20 ? 'failed' : 'accomplished',
      Tags: {
        Tag: [
          { TagKey: 'env', TagValue: n % 2 === 0 ? 'prod' : 'staging' },
          ...(n < 10 ? [{ TagKey: 'team', TagValue: 'payments' }] : []),
        ],
      },
    }),
  );
  const second = [100, 101, 102].map((n) => snapshotFixture(n, { SourceDiskId: 'd-test0002' }));
  const shanghai = [200, 201].map((n) =>
    snapshotFixture(n, { RegionId: 'cn-shanghai', SourceDiskId: 'd-test0009' }),
  );

  return {
    snapshots: [...main, ...second, ...shanghai],
    disks: [
      diskFixture('d-test0001'),
      diskFixture('d-test0002', { Type: 'system' }),
      diskFixture('d-restored1', { SourceSnapshotId: 's-test0012' }),
      diskFixture('d-restored2', { SourceSnapshotId: 's-test0013' }),
      diskFixture('d-test0009', { RegionId: 'cn-shanghai' }),
    ],
    images: [
      imageFixture('m-test0001', 's-test0010'),
      imageFixture('m-test0002', 's-test0011', { Status: 'Deprecated' }),
      imageFixture('m-test0003', 's-test0013', { CreationTime: '2026-07-01T00:00:00Z' }),
    ],
  };
}

let emulator: RunningEmulator;
let client: EcsClient;

async function restart(
  options: Partial<EmulatorOptions> = {},
  clientOptions: ClientOptions = {},
): Promise<void> {
  emulator = await startTestEmulator({ inventory: fixtureInventory(), ...options });
  client = sdkClient(emulator, clientOptions);
}

beforeEach(() => restart());
afterEach(() => closeTestEmulators());

type SnapshotQuery = ConstructorParameters<typeof EcsMod.DescribeSnapshotsRequest>[0];

async function snapshotIds(query: SnapshotQuery = {}): Promise<string[]> {
  const request = new EcsMod.DescribeSnapshotsRequest({
    regionId: REGION,
    maxResults: 100,
    ...query,
  });
  const body = bodyOf(await client.describeSnapshots(request));
  return (body.snapshots?.snapshot ?? []).map((s) => s.snapshotId ?? '');
}

function ids(...numbers: number[]): string[] {
  return numbers.map((n) => `s-test${String(n).padStart(4, '0')}`);
}

async function deleteSnapshot(snapshotId: string, force?: boolean): Promise<void> {
  await client.deleteSnapshot(new EcsMod.DeleteSnapshotRequest({ snapshotId, force }));
}

describe('DescribeSnapshots paging', () => {
  it('pages by PageNumber/PageSize over three pages without skipping or repeating', async () => {
    const pages: string[][] = [];
    for (let pageNumber = 1; pageNumber <= 4; pageNumber += 1) {
      const request = new EcsMod.DescribeSnapshotsRequest({
        regionId: REGION,
        pageNumber,
        pageSize: 10,
      });
      const body = bodyOf(await client.describeSnapshots(request));
      expect(body).toMatchObject({ totalCount: 28, pageNumber, pageSize: 10 });
      pages.push((body.snapshots?.snapshot ?? []).map((s) => s.snapshotId ?? ''));
    }

    expect(pages.map((page) => page.length)).toEqual([10, 10, 8, 0]);
    expect(pages.flat()).toEqual(await snapshotIds());
    expect(new Set(pages.flat()).size).toBe(28);
  });

  it('pages by NextToken without skipping or repeating while snapshots are deleted', async () => {
    const everything = await snapshotIds();
    const seen: string[] = [];
    let nextToken: string | undefined;
    let page = 0;

    do {
      const request = new EcsMod.DescribeSnapshotsRequest({
        regionId: REGION,
        maxResults: 5,
        nextToken,
      });
      const body = bodyOf(await client.describeSnapshots(request));
      seen.push(...(body.snapshots?.snapshot ?? []).map((s) => s.snapshotId ?? ''));
      nextToken = body.nextToken || undefined;

      page += 1;
      if (page === 1) {
        // one already listed, the first of the next page, and one further on
        for (const id of ids(1, 5, 17)) await deleteSnapshot(id);
      }
    } while (nextToken);

    const expected = everything.filter((id) => !ids(5, 17).includes(id));
    expect(seen).toEqual(expected);
    expect(page).toBeGreaterThan(2);
  });

  it('answers an empty NextToken on the last page', async () => {
    const request = new EcsMod.DescribeSnapshotsRequest({ regionId: REGION, maxResults: 100 });
    const body = bodyOf(await client.describeSnapshots(request));

    expect(body.nextToken).toBe('');
    expect(body.snapshots?.snapshot).toHaveLength(28);
  });

  it('orders snapshots by CreationTime, newest first, then by id', async () => {
    await restart({
      inventory: {
        snapshots: [
          snapshotFixture(2, { SnapshotId: 's-b' }),
          snapshotFixture(1),
          snapshotFixture(2, { SnapshotId: 's-a' }),
        ],
        disks: [],
        images: [],
      },
    });

    expect(await snapshotIds()).toEqual(['s-test0001', 's-a', 's-b']);
  });

  it('answers DryRunOperation to DryRun=true', async () => {
    await expect(snapshotIds({ dryRun: true })).rejects.toMatchObject({
      code: 'DryRunOperation',
      statusCode: 400,
    });
  });

  it('answers MissingRegionId when RegionId is absent', async () => {
    const request = new EcsMod.DescribeSnapshotsRequest({});

    await expect(client.describeSnapshots(request)).rejects.toMatchObject({
      name: 'ClientError',
      code: 'MissingRegionId',
      statusCode: 400,
    });
  });
});

describe('demo inventory', () => {
  it('serves every demo snapshot through the SDK, 100 per page', async () => {
    await restart({ inventory: demoInventory(new Date(), 3) });
    const listed: string[] = [];
    let nextToken: string | undefined;

    do {
      const request = new EcsMod.DescribeSnapshotsRequest({
        regionId: REGION,
        maxResults: 100,
        nextToken,
      });
      const body = bodyOf(await client.describeSnapshots(request));
      listed.push(...(body.snapshots?.snapshot ?? []).map((s) => s.snapshotId ?? ''));
      nextToken = body.nextToken || undefined;
    } while (nextToken);

    const expected = emulator.state.snapshots().filter((s) => s.RegionId === REGION);
    expect(listed).toEqual(expected.map((s) => s.SnapshotId));
    expect(listed.length).toBeGreaterThan(200);
  });
});

describe('DescribeSnapshots filters', () => {
  it('selects by SnapshotIds and rejects more than 100 ids', async () => {
    const wanted = JSON.stringify(ids(3, 4, 999));
    expect(await snapshotIds({ snapshotIds: wanted })).toEqual(ids(3, 4));

    const tooMany = JSON.stringify(Array.from({ length: 101 }, (_, n) => `s-${n}`));
    await expect(snapshotIds({ snapshotIds: tooMany })).rejects.toMatchObject({
      code: 'InvalidSnapshotIds.Malformed',
      statusCode: 403,
    });
  });

  it('selects by DiskId and by region', async () => {
    expect(await snapshotIds({ diskId: 'd-test0002' })).toEqual(ids(100, 101, 102));
    expect(await snapshotIds({ regionId: 'cn-shanghai' })).toEqual(ids(200, 201));
  });

  it('counts timer snapshots as automatic', async () => {
    const auto = await snapshotIds({ snapshotType: 'auto' });
    const user = await snapshotIds({ snapshotType: 'user' });
    const all = await snapshotIds({ snapshotType: 'all' });

    expect(auto).toEqual(expect.arrayContaining(ids(1, 6, 11)));
    expect(user).toEqual(ids(3, 10, 17, 24));
    expect(auto.length + user.length).toBe(all.length);
  });

  it('selects by Status', async () => {
    expect(await snapshotIds({ status: 'progressing' })).toEqual(ids(0));
    expect(await snapshotIds({ status: 'failed' })).toEqual(ids(20));
    expect(await snapshotIds({ status: 'accomplished' })).toHaveLength(26);
    expect(await snapshotIds({ status: 'all' })).toHaveLength(28);
  });

  it('derives Usage from the images and disks present at the time of the call', async () => {
    expect(await snapshotIds({ usage: 'image' })).toEqual(ids(10, 11));
    expect(await snapshotIds({ usage: 'disk' })).toEqual(ids(12));
    expect(await snapshotIds({ usage: 'image_disk' })).toEqual(ids(13));

    emulator.state.addImage(imageFixture('m-new', 's-test0012', { Status: 'Creating' }));
    emulator.state.removeImage('m-test0001');

    expect(await snapshotIds({ usage: 'image_disk' })).toEqual(ids(12, 13));
    expect(await snapshotIds({ usage: 'image' })).toEqual(ids(11));
  });

  it('selects by tags: every tag must match, a key alone matches any value', async () => {
    const tag = (key: string, value?: string) =>
      new EcsMod.DescribeSnapshotsRequestTag({ key, value });

    const prodPayments = await snapshotIds({ tag: [tag('env', 'prod'), tag('team', 'payments')] });
    expect(prodPayments).toEqual(ids(0, 2, 4, 6, 8));
    expect(await snapshotIds({ tag: [tag('team')] })).toHaveLength(10);
  });

  it('selects by SnapshotName and by creation window', async () => {
    const [third] = await snapshotIds({ snapshotName: 'auto-2026-11-27-0300' });
    expect(third).toBe('s-test0003');

    const filter = [
      new EcsMod.DescribeSnapshotsRequestFilter({
        key: 'CreationStartTime',
        value: '2026-11-27T19:00Z',
      }),
      new EcsMod.DescribeSnapshotsRequestFilter({
        key: 'CreationEndTime',
        value: '2026-11-29T19:00Z',
      }),
    ];
    expect(await snapshotIds({ filter })).toEqual(ids(1, 2, 3));
  });

  it('returns wire types the SDK casts: SourceDiskSize a string, arrays as arrays', async () => {
    const request = new EcsMod.DescribeSnapshotsRequest({
      regionId: REGION,
      snapshotIds: '["s-test0010"]',
    });
    const response = await client.describeSnapshots(request);
    const body = bodyOf(response);
    const [snapshot] = body.snapshots?.snapshot ?? [];

    expect(body.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(response.headers?.['x-acs-request-id']).toBe(body.requestId);
    expect(snapshot).toMatchObject({ sourceDiskSize: '40', usage: 'image', snapshotType: 'user' });
    expect(snapshot?.tags?.tag).toEqual([
      expect.objectContaining({ tagKey: 'env', tagValue: 'prod' }),
    ]);
  });
});

describe('DeleteSnapshot', () => {
  it('deletes a snapshot no image or disk uses and logs it', async () => {
    await deleteSnapshot('s-test0004');

    expect(emulator.state.snapshot('s-test0004')).toBeUndefined();
    expect(emulator.state.deleted()).toEqual([
      { snapshotId: 's-test0004', force: false, at: expect.any(Number) },
    ]);
  });

  it('answers 404 InvalidSnapshotId.NotFound for an unknown id by default', async () => {
    await expect(deleteSnapshot('s-missing')).rejects.toMatchObject({
      name: 'ClientError',
      code: 'InvalidSnapshotId.NotFound',
      statusCode: 404,
    });
  });

  it('answers 200 for an unknown id when told to ignore it', async () => {
    await restart({ unknownSnapshot: 'ignore' });

    await expect(deleteSnapshot('s-missing')).resolves.toBeUndefined();
    expect(emulator.state.deleted()).toEqual([]);
  });

  it('refuses a snapshot used by an image of any status, even with Force', async () => {
    for (const snapshotId of ids(10, 11, 13)) {
      await expect(deleteSnapshot(snapshotId, true)).rejects.toMatchObject({
        name: 'ClientError',
        code: 'SnapshotCreatedImage',
        statusCode: 403,
      });
    }
    expect(emulator.state.deleted()).toEqual([]);
  });

  it('refuses a snapshot used by disks unless Force=true', async () => {
    await expect(deleteSnapshot('s-test0012')).rejects.toMatchObject({
      code: 'SnapshotCreatedDisk',
      statusCode: 403,
    });

    await deleteSnapshot('s-test0012', true);
    expect(emulator.state.deleted()).toEqual([
      { snapshotId: 's-test0012', force: true, at: expect.any(Number) },
    ]);
  });

  it('frees a snapshot once the image that held it is removed', async () => {
    await expect(deleteSnapshot('s-test0010')).rejects.toMatchObject({
      code: 'SnapshotCreatedImage',
    });

    emulator.state.removeImage('m-test0001');
    await deleteSnapshot('s-test0010');
    expect(emulator.state.snapshot('s-test0010')).toBeUndefined();
  });

  it('answers MissingParameter without a SnapshotId', async () => {
    const request = new EcsMod.DeleteSnapshotRequest({});

    await expect(client.deleteSnapshot(request)).rejects.toMatchObject({
      code: 'MissingParameter',
      statusCode: 400,
    });
  });
});

describe('DescribeImages', () => {
  async function imageIds(query: ConstructorParameters<typeof EcsMod.DescribeImagesRequest>[0]) {
    const request = new EcsMod.DescribeImagesRequest({ regionId: REGION, ...query });
    const body = bodyOf(await client.describeImages(request));
    return (body.images?.image ?? []).map((image) => image.imageId);
  }

  it('lists only Available images unless Status says otherwise', async () => {
    expect(await imageIds({})).toEqual(['m-test0003', 'm-test0001']);
    expect(await imageIds({ status: 'ALL' })).toHaveLength(3);
    expect(await imageIds({ status: 'Deprecated,Creating' })).toEqual(['m-test0002']);
  });

  it('finds the images that use a snapshot', async () => {
    expect(await imageIds({ snapshotId: 's-test0011' })).toEqual([]);
    expect(await imageIds({ snapshotId: 's-test0011', status: 'ALL' })).toEqual(['m-test0002']);
    expect(await imageIds({ snapshotId: 's-test0013', imageOwnerAlias: 'self' })).toEqual([
      'm-test0003',
    ]);
  });

  it('returns disk device mappings with the snapshot id', async () => {
    const request = new EcsMod.DescribeImagesRequest({ regionId: REGION, imageId: 'm-test0001' });
    const body = bodyOf(await client.describeImages(request));

    const mapping = body.images?.image?.[0]?.diskDeviceMappings?.diskDeviceMapping;
    expect(mapping).toEqual([expect.objectContaining({ snapshotId: 's-test0010' })]);
    expect(body).toMatchObject({ regionId: REGION, totalCount: 1, pageNumber: 1, pageSize: 10 });
  });
});

describe('DescribeDisks', () => {
  async function diskIds(query: ConstructorParameters<typeof EcsMod.DescribeDisksRequest>[0]) {
    const request = new EcsMod.DescribeDisksRequest({ regionId: REGION, ...query });
    const body = bodyOf(await client.describeDisks(request));
    return (body.disks?.disk ?? []).map((disk) => disk.diskId);
  }

  it('finds disks created from a snapshot', async () => {
    expect(await diskIds({ snapshotId: 's-test0012' })).toEqual(['d-restored1']);
    expect(await diskIds({ snapshotId: 's-test0004' })).toEqual([]);
  });

  it('selects by DiskIds, so a released source disk comes back as an empty list', async () => {
    const wanted = JSON.stringify(['d-test0002', 'd-released', 'd-test0009']);
    expect(await diskIds({ diskIds: wanted })).toEqual(['d-test0002']);
    expect(await diskIds({ diskIds: '["d-released"]' })).toEqual([]);
  });

  it('pages by NextToken/MaxResults and by PageNumber/PageSize', async () => {
    const byToken: string[] = [];
    let nextToken: string | undefined;
    do {
      const request = new EcsMod.DescribeDisksRequest({
        regionId: REGION,
        maxResults: 1,
        nextToken,
      });
      const body = bodyOf(await client.describeDisks(request));
      byToken.push(...(body.disks?.disk ?? []).map((d) => d.diskId ?? ''));
      nextToken = body.nextToken || undefined;
    } while (nextToken);

    const byNumber = [
      ...(await diskIds({ pageNumber: 1, pageSize: 3 })),
      ...(await diskIds({ pageNumber: 2, pageSize: 3 })),
    ];
    expect(byToken).toHaveLength(4);
    expect(byNumber).toEqual(byToken);
  });
});

describe('authentication', () => {
  const describe1 = () => snapshotIds({ maxResults: 1 });

  it('rejects a wrong secret with SignatureDoesNotMatch', async () => {
    client = sdkClient(emulator, { accessKeySecret: 'not-the-secret' });

    await expect(describe1()).rejects.toMatchObject({
      name: 'ClientError',
      code: 'SignatureDoesNotMatch',
      statusCode: 400,
    });
  });

  it('rejects an unknown access key with InvalidAccessKeyId.NotFound', async () => {
    client = sdkClient(emulator, { accessKeyId: 'LTAI-unknown' });

    await expect(describe1()).rejects.toMatchObject({
      code: 'InvalidAccessKeyId.NotFound',
      statusCode: 404,
    });
  });

  it('accepts configured keys and STS tokens', async () => {
    await restart({ accessKeys: { 'STS.test-key': 'sts-secret' } });
    client = sdkClient(emulator, {
      accessKeyId: 'STS.test-key',
      accessKeySecret: 'sts-secret',
      securityToken: 'any-token',
    });

    await expect(describe1()).resolves.toHaveLength(1);
  });

  it('rejects requests dated more than 15 minutes from the emulator clock', async () => {
    await restart({ clock: () => new Date(Date.now() + 16 * 60_000) });

    await expect(describe1()).rejects.toMatchObject({
      code: 'InvalidTimeStamp.Expired',
      statusCode: 400,
    });
  });

  it('answers InvalidApi.NotFound for an action it does not emulate', async () => {
    const request = new EcsMod.DescribeInstancesRequest({ regionId: REGION });

    await expect(client.describeInstances(request)).rejects.toMatchObject({
      code: 'InvalidApi.NotFound',
      statusCode: 404,
    });
  });
});

describe('faults', () => {
  it('throttles over-quota calls with Throttling.User and x-acs-retry-after', async () => {
    emulator.setFaults({
      quota: { DeleteSnapshot: { max: 2, perMs: 60_000, retryAfterMs: 1500 } },
    });

    await deleteSnapshot('s-test0004');
    await deleteSnapshot('s-test0005');
    await expect(deleteSnapshot('s-test0006')).rejects.toMatchObject({
      name: 'ThrottlingError',
      code: 'Throttling.User',
      statusCode: 400,
      retryAfter: 1500,
    });

    expect(emulator.state.snapshot('s-test0006')).toBeDefined();
    expect(await snapshotIds({ maxResults: 1 })).toHaveLength(1);
    expect(emulator.calls.at(-2)).toMatchObject({
      action: 'DeleteSnapshot',
      status: 400,
      code: 'Throttling.User',
      snapshotId: 's-test0006',
    });
  });

  it('frees quota once the sliding window has passed', async () => {
    emulator.setFaults({ quota: { DescribeSnapshots: { max: 1, perMs: 600 } } });

    await snapshotIds();
    await expect(snapshotIds()).rejects.toMatchObject({ name: 'ThrottlingError' });
    await new Promise((resolve) => setTimeout(resolve, 650));
    await expect(snapshotIds()).resolves.toHaveLength(28);
  });

  it('answers 5xx as ServerError without changing state', async () => {
    emulator.setFaults({ serverErrorRate: 1 });

    const failure = deleteSnapshot('s-test0004');
    await expect(failure).rejects.toMatchObject({ name: 'ServerError' });
    await failure.catch((error: { statusCode: number; code: string }) => {
      expect([500, 503]).toContain(error.statusCode);
      expect(['InternalError', 'ServiceUnavailable']).toContain(error.code);
    });
    expect(emulator.state.snapshot('s-test0004')).toBeDefined();
  });

  it('resets the socket so the SDK sees ECONNRESET', async () => {
    emulator.setFaults({ resetRate: 1 });

    await expect(deleteSnapshot('s-test0004')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(emulator.state.snapshot('s-test0004')).toBeDefined();
    expect(emulator.calls.at(-1)).toMatchObject({ status: 0, code: 'Fault.Reset' });
  });

  it('never answers a hanging call, and close() still returns promptly', async () => {
    await restart({ faults: { hangRate: 1 } }, { timeoutMs: 300 });

    await expect(snapshotIds()).rejects.toMatchObject({ name: 'RequestTimeoutError' });
    const started = Date.now();
    await emulator.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('delays answers by the configured latency, per action', async () => {
    emulator.setFaults({ latencyMs: { DescribeSnapshots: 400 } });

    let started = Date.now();
    await snapshotIds();
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);

    started = Date.now();
    await expect(deleteSnapshot('s-missing')).rejects.toMatchObject({ statusCode: 404 });
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('applies rate faults only to the listed actions', async () => {
    emulator.setFaults({ serverErrorRate: 1, actions: ['DeleteSnapshot'] });

    await expect(snapshotIds()).resolves.toHaveLength(28);
    await expect(deleteSnapshot('s-test0004')).rejects.toMatchObject({ name: 'ServerError' });
  });

  it('replays the same fault sequence for the same seed', async () => {
    async function statuses(seed: number): Promise<number[]> {
      await restart({ seed, faults: { serverErrorRate: 0.5 } });
      for (let n = 0; n < 12; n += 1) await snapshotIds().catch(() => undefined);
      return emulator.calls.map((call) => call.status);
    }

    const first = await statuses(7);
    expect(await statuses(7)).toEqual(first);
    expect(first).toContain(200);
    expect(first.some((status) => status >= 500)).toBe(true);
  });
});

describe('admin endpoints', () => {
  async function admin(op: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`http://${emulator.endpoint}/_emulator/${op}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: await response.json() };
  }

  it('adds and removes images, disks and tags, seen by the next API call', async () => {
    const image = imageFixture('m-admin', 's-test0004');
    expect(await admin('addImage', image)).toEqual({ status: 200, json: { ok: true } });
    await admin('addDisk', diskFixture('d-admin', { SourceSnapshotId: 's-test0004' }));
    await admin('setSnapshotTags', { snapshotId: 's-test0004', tags: { retain: 'true' } });

    const tag = [new EcsMod.DescribeSnapshotsRequestTag({ key: 'retain', value: 'true' })];
    expect(await snapshotIds({ usage: 'image_disk', tag })).toEqual(ids(4));

    expect(await admin('removeImage', { imageId: 'm-admin' })).toMatchObject({
      json: { removed: true },
    });
    await admin('removeDisk', { diskId: 'd-admin' });
    expect(await snapshotIds({ usage: 'none', snapshotIds: '["s-test0004"]' })).toEqual(ids(4));
  });

  it('reports state and calls, and sets faults', async () => {
    await deleteSnapshot('s-test0004');
    await admin('setFaults', { serverErrorRate: 1 });
    await expect(snapshotIds()).rejects.toMatchObject({ name: 'ServerError' });

    const state = await admin('state');
    expect(state.json).toMatchObject({ deleted: [{ snapshotId: 's-test0004', force: false }] });
    const calls = await admin('calls');
    expect(calls.json).toMatchObject({
      calls: [{ action: 'DeleteSnapshot', status: 200 }, { action: 'DescribeSnapshots' }],
    });
  });

  it('rejects unknown operations and invalid bodies, naming the problem', async () => {
    expect(await admin('explode', {})).toMatchObject({ status: 404 });

    const bad = await admin('addSnapshot', { SnapshotId: 's-x' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('CreationTime');
  });
});
