/**
 * A local ECS API that the official SDK accepts unchanged: point the SDK's `endpoint` at
 * `RunningEmulator.endpoint` with `protocol: 'http'`.
 */
export { DEMO_ACCESS_KEY, startEmulator } from './server';
export type { EmulatorOptions, RunningEmulator } from './server';
export { EmulatorState } from './state';
export type { ListedSnapshot } from './state';
export { loadEmulatorInventory, parseEmulatorInventory } from './inventory';
export { demoInventory } from './demo-inventory';
export { validateFaults } from './faults';
export {
  parseActionsFlag,
  parseEmulatorFaultFlags,
  parseLatencyFlag,
  parsePortFlag,
  parseQuotaFlag,
  parseRateFlag,
  parseUnknownSnapshotFlag,
} from './flags';
export type { EmulatorFaultFlags } from './flags';
export { ECS_ACTIONS } from './types';
export type {
  ApiDisk,
  ApiDiskDeviceMapping,
  ApiImage,
  ApiSnapshot,
  ApiTag,
  ApiTags,
  CallRecord,
  DeletedSnapshot,
  EcsAction,
  EmulatorFaults,
  EmulatorInventory,
  ImageStatus,
  QuotaFault,
  SnapshotStatus,
  SnapshotType,
  SnapshotUsage,
} from './types';
