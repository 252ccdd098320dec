import * as EcsMod from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';

import {
  DEMO_ACCESS_KEY,
  startEmulator,
  type ApiDisk,
  type ApiImage,
  type ApiSnapshot,
  type EmulatorInventory,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../src/emulator';

/**
 * The official SDK client class. `EcsMod.default` is the class both under vitest and in
 * CommonJS output from tsc (see the research note, section (g)).
 */
export const EcsClient = EcsMod.default;
export type EcsClient = InstanceType<typeof EcsMod.default>;
export { EcsMod };

export interface ClientOptions {
  readonly accessKeyId?: string;
  readonly accessKeySecret?: string;
  readonly securityToken?: string;
  /** Applied as both read and connect timeout, as the SDK's connect timeout is an idle timeout. */
  readonly timeoutMs?: number;
}

/** An SDK client configured only with the emulator's endpoint and plain HTTP. */
export function sdkClient(emulator: RunningEmulator, options: ClientOptions = {}): EcsClient {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return new EcsClient(
    new $OpenApiUtil.Config({
      accessKeyId: options.accessKeyId ?? DEMO_ACCESS_KEY.id,
      accessKeySecret: options.accessKeySecret ?? DEMO_ACCESS_KEY.secret,
      ...(options.securityToken !== undefined && { securityToken: options.securityToken }),
      endpoint: emulator.endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      readTimeout: timeoutMs,
      connectTimeout: timeoutMs,
    }),
  );
}

/** The body of an SDK response, whose type marks it optional although a 200 always has one. */
export function bodyOf<T>(response: { readonly body?: T }): T {
  if (response.body === undefined) throw new Error('the SDK response has no body');
  return response.body;
}

const running = new Set<RunningEmulator>();

/** Starts an emulator that `closeTestEmulators()` will close. */
export async function startTestEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const emulator = await startEmulator(options);
  running.add(emulator);
  return emulator;
}

/** For afterEach/afterAll: closes every emulator the test file started. */
export async function closeTestEmulators(): Promise<void> {
  const closing = [...running].map((emulator) => emulator.close());
  running.clear();
  await Promise.all(closing);
}

/** A snapshot with plausible defaults; `n` orders it (higher is older). */
export function snapshotFixture(n: number, overrides: Partial<ApiSnapshot> = {}): ApiSnapshot {
  const created = new Date(Date.UTC(2026, 10, 30, 19) - n * 86_400_000);
  return {
    SnapshotId: `s-test${String(n).padStart(4, '0')}`,
    SnapshotName: `auto-${created.toISOString().slice(0, 10)}-0300`,
    RegionId: 'cn-hangzhou',
    SourceDiskId: 'd-test0001',
    SourceDiskSize: '40',
    SourceDiskType: 'data',
    CreationTime: `${created.toISOString().slice(0, 19)}Z`,
    Status: 'accomplished',
    SnapshotType: 'auto',
    Tags: { Tag: [] },
    ...overrides,
  };
}

export function diskFixture(diskId: string, overrides: Partial<ApiDisk> = {}): ApiDisk {
  return {
    DiskId: diskId,
    RegionId: 'cn-hangzhou',
    Status: 'In_use',
    Type: 'data',
    Size: 40,
    CreationTime: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function imageFixture(
  imageId: string,
  snapshotId: string,
  overrides: Partial<ApiImage> = {},
): ApiImage {
  return {
    ImageId: imageId,
    RegionId: 'cn-hangzhou',
    Status: 'Available',
    CreationTime: '2026-06-01T00:00:00Z',
    DiskDeviceMappings: { DiskDeviceMapping: [{ SnapshotId: snapshotId, Device: '/dev/xvda' }] },
    ...overrides,
  };
}

export const EMPTY_INVENTORY: EmulatorInventory = { snapshots: [], disks: [], images: [] };
