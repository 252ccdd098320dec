import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncompleteListingError, scanRegions, SuspectDiskListingError } from '../../src/app/scan';
import { loadConfig } from '../../src/config/load';
import { BatchedReads } from '../../src/ecs/batched-reads';
import { snapshotPages } from '../../src/ecs/listing';
import { EcsError } from '../../src/ecs/errors';
import type { EcsPort } from '../../src/ecs/port';
import { SdkEcsGateway } from '../../src/ecs/sdk-gateway';
import { DEMO_ACCESS_KEY, type RunningEmulator } from '../../src/emulator';
import { silentLogger } from '../../src/observability/logger';
import {
  closeTestEmulators,
  diskFixture,
  imageFixture,
  startTestEmulator,
} from '../support/emulator';
import { agedSnapshot } from '../support/world';

/**
 * One suite that every EcsPort must pass: the SDK gateway on the emulator, and the same with
 * batched reads in front. Each case states what the reaper relies on, not how the API is built.
 */
function inventory() {
  const snapshots = Array.from({ length: 25 }, (_, n) =>
    agedSnapshot(`s-conf${String(n).padStart(2, '0')}`, n < 20 ? 'd-conf1' : 'd-gone', n + 1),
  );
  return {
    snapshots,
    disks: [diskFixture('d-conf1'), diskFixture('d-child', { SourceSnapshotId: 's-conf03' })],
    images: [
      imageFixture('m-avail', 's-conf01'),
      imageFixture('m-deprecated', 's-conf02', { Status: 'Deprecated' }),
    ],
  };
}

function gateway(emulator: RunningEmulator, secret = DEMO_ACCESS_KEY.secret): SdkEcsGateway {
  return new SdkEcsGateway({
    connection: {
      endpoint: emulator.endpoint,
      protocol: 'http',
      timeoutMs: 2_000,
      accessKey: { id: DEMO_ACCESS_KEY.id, secret },
    },
  });
}

const adapters: readonly [string, (emulator: RunningEmulator) => EcsPort][] = [
  ['SDK gateway', (emulator) => gateway(emulator)],
  ['SDK gateway with batched reads', (emulator) => new BatchedReads(gateway(emulator))],
];

afterAll(async () => {
  await closeTestEmulators();
});

describe.each(adapters)('EcsPort conformance: %s', (_name, makePort) => {
  let emulator: RunningEmulator;
  let port: EcsPort;

  beforeAll(async () => {
    emulator = await startTestEmulator({ inventory: inventory() });
    port = makePort(emulator);
  });

  it('pages through every snapshot of a region once', async () => {
    const seen: string[] = [];
    let nextToken: string | null = null;
    do {
      const page = await port.snapshotPage('cn-hangzhou', { pageSize: 10, nextToken });
      seen.push(...page.snapshots.map((s) => s.snapshotId));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
  });

  it('maps the API fields the engine reads', async () => {
    const [snapshot] = await port.describeSnapshots('cn-hangzhou', ['s-conf01']);
    expect(snapshot).toMatchObject({
      snapshotId: 's-conf01',
      regionId: 'cn-hangzhou',
      sourceDiskId: 'd-conf1',
      sourceDiskSize: '40',
      status: 'accomplished',
      snapshotType: 'auto',
      usage: 'image',
    });
    expect(snapshot?.creationTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('re-reads several snapshots at once and leaves out the unknown', async () => {
    const ids = ['s-conf04', 's-conf05', 's-nope'];
    const answers = await Promise.all(ids.map((id) => port.describeSnapshots('cn-hangzhou', [id])));
    expect(answers.map((found) => found.map((s) => s.snapshotId))).toEqual([
      ['s-conf04'],
      ['s-conf05'],
      [],
    ]);
  });

  it('lists the snapshots of one disk, and which disks exist', async () => {
    const group = await port.describeDiskSnapshots('cn-hangzhou', 'd-conf1');
    expect(group).toHaveLength(20);
    const existing = await port.existingDisks('cn-hangzhou', ['d-conf1', 'd-gone']);
    expect([...existing]).toEqual(['d-conf1']);
    expect(await port.listDiskIds('cn-hangzhou')).toEqual(new Set(['d-conf1', 'd-child']));
  });

  it('finds images of any status and disks that use a snapshot', async () => {
    expect(await port.imagesUsingSnapshot('cn-hangzhou', 's-conf02')).toEqual(['m-deprecated']);
    expect(await port.disksFromSnapshot('cn-hangzhou', 's-conf03')).toEqual(['d-child']);
    expect(await port.imagesUsingSnapshot('cn-hangzhou', 's-conf09')).toEqual([]);
  });

  it('deletes, and answers an unknown id as already gone', async () => {
    const first = await port.deleteSnapshot('cn-hangzhou', 's-conf10', { force: false });
    const again = await port.deleteSnapshot('cn-hangzhou', 's-conf10', { force: false });
    expect(first).toMatchObject({ alreadyGone: false, requestId: expect.any(String) });
    expect(again.alreadyGone).toBe(true);
  });

  it('reports a snapshot used by an image as in use, with code and request id', async () => {
    const error = await port
      .deleteSnapshot('cn-hangzhou', 's-conf01', { force: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EcsError);
    expect(error).toMatchObject({
      outcome: 'in-use',
      code: 'SnapshotCreatedImage',
      details: { requestId: expect.any(String), statusCode: 403 },
    });
  });

  it('deletes a snapshot used only by disks when forced', async () => {
    const refused = await port
      .deleteSnapshot('cn-hangzhou', 's-conf03', { force: false })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'SnapshotCreatedDisk' });
    await port.deleteSnapshot('cn-hangzhou', 's-conf03', { force: true });
    expect(emulator.state.deleted().at(-1)).toMatchObject({ snapshotId: 's-conf03', force: true });
  });
});

describe('EcsPort failures through the SDK gateway', () => {
  it('classifies a wrong secret as fatal', async () => {
    const emulator = await startTestEmulator({ inventory: inventory() });
    const error = await gateway(emulator, 'wrong')
      .describeSnapshots('cn-hangzhou', ['s-conf01'])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ outcome: 'fatal', code: 'SignatureDoesNotMatch' });
  });

  it('classifies throttling with the retry-after the API asked for', async () => {
    const emulator = await startTestEmulator({
      inventory: inventory(),
      faults: { quota: { DeleteSnapshot: { max: 1, perMs: 60_000, retryAfterMs: 1_500 } } },
    });
    const port = gateway(emulator);
    await port.deleteSnapshot('cn-hangzhou', 's-conf11', { force: false });
    const error = await port
      .deleteSnapshot('cn-hangzhou', 's-conf12', { force: false })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ outcome: 'throttled', details: { retryAfterMs: 1_500 } });
  });

  it('classifies server errors and resets as transient', async () => {
    const emulator = await startTestEmulator({
      inventory: inventory(),
      faults: { serverErrorRate: 1 },
    });
    const error = await gateway(emulator)
      .describeSnapshots('cn-hangzhou', ['s-conf01'])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ outcome: 'transient' });

    emulator.setFaults({ resetRate: 1 });
    const reset = await gateway(emulator)
      .describeSnapshots('cn-hangzhou', ['s-conf01'])
      .catch((e: unknown) => e);
    expect(reset).toMatchObject({ outcome: 'transient', code: 'ECONNRESET' });
  });
});

describe('scanning regions', () => {
  it('stops with LISTING_INCOMPLETE when the listing ends before TotalCount', async () => {
    const emulator = await startTestEmulator({
      inventory: inventory(),
      faults: { listingShortfall: 3 },
    });
    const config = await loadConfig({ overrides: { regions: ['cn-hangzhou'] } });

    const error = await scanRegions(gateway(emulator), config, silentLogger()).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(IncompleteListingError);
    expect((error as Error).message).toContain('found 22 snapshots');
  });

  it('ends the scan, deleting nothing, when the API answers with something that is not JSON', async () => {
    const emulator = await startTestEmulator({
      inventory: inventory(),
      faults: { malformedRate: 1, actions: ['DescribeSnapshots'] },
    });
    const config = await loadConfig({ overrides: { regions: ['cn-hangzhou'] } });

    const error = await scanRegions(gateway(emulator), config, silentLogger()).catch(
      (e: unknown) => e,
    );

    expect(error).toMatchObject({ code: 'MalformedResponse' });
    expect(emulator.calls.filter((call) => call.action === 'DeleteSnapshot')).toHaveLength(0);
  });

  it('streams a whole listing page by page, asking again for a page that failed', async () => {
    const emulator = await startTestEmulator({
      inventory: inventory(),
      faults: { serverErrorRate: 0.3, actions: ['DescribeSnapshots'] },
      seed: 7,
    });

    const seen: string[] = [];
    for await (const page of snapshotPages(gateway(emulator), 'cn-hangzhou', 5)) {
      seen.push(...page.snapshots.map((s) => s.snapshotId));
    }

    expect(new Set(seen).size).toBe(25);
    const failures = emulator.calls.filter((call) => call.status >= 500);
    expect(failures.length).toBeGreaterThan(0);
  });

  it('stops when most disks snapshotted in the last two days are missing from DescribeDisks', async () => {
    const recent = ['d-a', 'd-b', 'd-c', 'd-d'].map((disk) => agedSnapshot(`s-${disk}`, disk, 0.5));
    const emulator = await startTestEmulator({
      inventory: { snapshots: recent, disks: [diskFixture('d-a')], images: [] },
    });
    const config = await loadConfig({ overrides: { regions: ['cn-hangzhou'] } });

    const error = await scanRegions(gateway(emulator), config, silentLogger()).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(SuspectDiskListingError);
    expect((error as Error).message).toContain('3 of 4 disks with automatic snapshots');
  });

  it('accepts a few released disks among the recently snapshotted ones', async () => {
    const recent = ['d-a', 'd-b', 'd-c', 'd-d'].map((disk) => agedSnapshot(`s-${disk}`, disk, 0.5));
    const live = ['d-a', 'd-b', 'd-c'].map((disk) => diskFixture(disk));
    const emulator = await startTestEmulator({
      inventory: { snapshots: recent, disks: live, images: [] },
    });
    const config = await loadConfig({ overrides: { regions: ['cn-hangzhou'] } });

    const scan = await scanRegions(gateway(emulator), config, silentLogger());

    expect(scan.perRegion['cn-hangzhou']).toBe(4);
  });

  it('lists every snapshot and disk of every configured region', async () => {
    const emulator = await startTestEmulator({ inventory: inventory() });
    const config = await loadConfig({ overrides: { regions: ['cn-hangzhou', 'cn-shanghai'] } });

    const scan = await scanRegions(gateway(emulator), config, silentLogger());

    expect(scan.perRegion).toEqual({ 'cn-hangzhou': 25, 'cn-shanghai': 0 });
    expect(scan.disks).toEqual({ kind: 'known', diskIds: new Set(['d-conf1', 'd-child']) });
  });
});
