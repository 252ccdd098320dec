import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { Snapshot } from '../retention/types';
import { snapshotFromApi } from './api-snapshot';
import { toEcsError } from './errors';
import type { DeleteResult, EcsPort, PageRequest, RateGate, SnapshotPage } from './port';
import { Credential, EcsClient, EcsModule } from './sdk-modules';

/** How to reach ECS. Credentials come from the Alibaba default chain unless given here. */
export interface EcsConnection {
  /** `host[:port]` without scheme, such as `127.0.0.1:8787`; null = Alibaba's own endpoint. */
  readonly endpoint: string | null;
  readonly protocol: 'http' | 'https';
  readonly timeoutMs: number;
  /** Static keys for tests and the demo; production leaves this out and uses the chain. */
  readonly accessKey?: { readonly id: string; readonly secret: string };
}

export interface SdkGatewayOptions {
  readonly connection: EcsConnection;
  /** Paces Describe* calls (scan.rate); DeleteSnapshot is paced by the delete queue. */
  readonly describeGate?: RateGate;
}

const PAGE_LIMIT = 100;
const OPEN_GATE: RateGate = { acquire: async () => undefined };

/** The EcsPort on the official SDK, with the SDK's own retries off: callers own retrying. */
export class SdkEcsGateway implements EcsPort {
  private readonly clients = new Map<string, EcsClient>();
  private readonly credential: Credential | undefined;
  private readonly describeGate: RateGate;

  constructor(private readonly options: SdkGatewayOptions) {
    this.credential = options.connection.accessKey ? undefined : new Credential();
    this.describeGate = options.describeGate ?? OPEN_GATE;
  }

  async snapshotPage(regionId: string, options: PageRequest): Promise<SnapshotPage> {
    const body = await this.describe('DescribeSnapshots', regionId, (client) =>
      client.describeSnapshots(
        new EcsModule.DescribeSnapshotsRequest({
          regionId,
          maxResults: options.pageSize,
          nextToken: options.nextToken ?? undefined,
        }),
      ),
    );
    return pageFrom(body.toMap(), regionId);
  }

  async describeSnapshots(regionId: string, snapshotIds: readonly string[]): Promise<Snapshot[]> {
    if (snapshotIds.length === 0) return [];
    if (snapshotIds.length > PAGE_LIMIT) throw new RangeError('at most 100 snapshot ids a call');

    const body = await this.describe('DescribeSnapshots', regionId, (client) =>
      client.describeSnapshots(
        new EcsModule.DescribeSnapshotsRequest({
          regionId,
          snapshotIds: JSON.stringify(snapshotIds),
          pageSize: PAGE_LIMIT,
        }),
      ),
    );
    return [...pageFrom(body.toMap(), regionId).snapshots];
  }

  async describeDiskSnapshots(regionId: string, diskId: string): Promise<Snapshot[]> {
    const found: Snapshot[] = [];
    let nextToken: string | undefined;
    do {
      const body = await this.describe('DescribeSnapshots', regionId, (client) =>
        client.describeSnapshots(
          new EcsModule.DescribeSnapshotsRequest({
            regionId,
            diskId,
            maxResults: PAGE_LIMIT,
            nextToken,
          }),
        ),
      );
      const page = pageFrom(body.toMap(), regionId);
      found.push(...page.snapshots);
      nextToken = page.nextToken ?? undefined;
    } while (nextToken);
    return found;
  }

  async listDiskIds(regionId: string): Promise<ReadonlySet<string>> {
    const diskIds = new Set<string>();
    let nextToken: string | undefined;
    do {
      const body = await this.describe('DescribeDisks', regionId, (client) =>
        client.describeDisks(
          new EcsModule.DescribeDisksRequest({ regionId, maxResults: 500, nextToken }),
        ),
      );
      for (const disk of body.disks?.disk ?? []) if (disk.diskId) diskIds.add(disk.diskId);
      nextToken = body.nextToken || undefined;
    } while (nextToken);
    return diskIds;
  }

  async existingDisks(regionId: string, diskIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (diskIds.length === 0) return new Set();
    const body = await this.describe('DescribeDisks', regionId, (client) =>
      client.describeDisks(
        new EcsModule.DescribeDisksRequest({
          regionId,
          diskIds: JSON.stringify(diskIds),
          pageSize: PAGE_LIMIT,
        }),
      ),
    );
    return new Set((body.disks?.disk ?? []).flatMap((disk) => (disk.diskId ? [disk.diskId] : [])));
  }

  async imagesUsingSnapshot(regionId: string, snapshotId: string): Promise<string[]> {
    const body = await this.describe('DescribeImages', regionId, (client) =>
      client.describeImages(
        new EcsModule.DescribeImagesRequest({
          regionId,
          snapshotId,
          imageOwnerAlias: 'self',
          // The API lists only Available images unless told otherwise; any status pins.
          status: 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated',
          pageSize: PAGE_LIMIT,
        }),
      ),
    );
    return (body.images?.image ?? []).flatMap((image) => (image.imageId ? [image.imageId] : []));
  }

  async disksFromSnapshot(regionId: string, snapshotId: string): Promise<string[]> {
    const body = await this.describe('DescribeDisks', regionId, (client) =>
      client.describeDisks(
        new EcsModule.DescribeDisksRequest({ regionId, snapshotId, pageSize: PAGE_LIMIT }),
      ),
    );
    return (body.disks?.disk ?? []).flatMap((disk) => (disk.diskId ? [disk.diskId] : []));
  }

  async deleteSnapshot(
    regionId: string,
    snapshotId: string,
    options: { force: boolean },
  ): Promise<DeleteResult> {
    try {
      const client = this.client(regionId);
      const request = new EcsModule.DeleteSnapshotRequest({ snapshotId, force: options.force });
      const response = await client.deleteSnapshot(request);
      return { requestId: response.body?.requestId ?? null, alreadyGone: false };
    } catch (thrown) {
      const error = toEcsError('DeleteSnapshot', thrown);
      if (error.outcome !== 'gone') throw error;
      return { requestId: error.details.requestId, alreadyGone: true };
    }
  }

  private async describe<B>(
    action: string,
    regionId: string,
    call: (client: EcsClient) => Promise<{ body?: B }>,
  ): Promise<B> {
    await this.describeGate.acquire();
    try {
      const response = await call(this.client(regionId));
      if (!response.body) throw new Error(`${action} answered without a body`);
      return response.body;
    } catch (thrown) {
      throw toEcsError(action, thrown);
    }
  }

  private client(regionId: string): EcsClient {
    const known = this.clients.get(regionId);
    if (known) return known;

    const client = new EcsClient(this.clientConfig(regionId));
    this.clients.set(regionId, client);
    return client;
  }

  private clientConfig(regionId: string): $OpenApiUtil.Config {
    const { connection } = this.options;
    return new $OpenApiUtil.Config({
      regionId,
      endpoint: connection.endpoint ?? undefined,
      protocol: connection.protocol,
      accessKeyId: connection.accessKey?.id,
      accessKeySecret: connection.accessKey?.secret,
      credential: this.credential,
      // The SDK applies connectTimeout as an idle timeout, so both are set alike.
      readTimeout: connection.timeoutMs,
      connectTimeout: connection.timeoutMs,
    });
  }
}

function pageFrom(map: Record<string, unknown>, regionId: string): SnapshotPage {
  const wrapper = map.Snapshots as { Snapshot?: unknown } | undefined;
  const items = Array.isArray(wrapper?.Snapshot) ? wrapper.Snapshot : [];
  const snapshots = items.flatMap((item: unknown) => {
    const snapshot = snapshotFromApi(item, regionId);
    return snapshot ? [snapshot] : [];
  });

  const total = map.TotalCount;
  const token = map.NextToken;
  return {
    snapshots,
    unidentified: items.length - snapshots.length,
    totalCount: typeof total === 'number' ? total : null,
    nextToken: typeof token === 'string' && token !== '' ? token : null,
  };
}
