import type { WriteStream } from 'node:tty';
import type { Config } from '../config/schema';
import { planRetention, type DiskInventory, type Plan } from '../retention';
import { readDiskInventory, readSnapshotInventory } from './inventory-file';
import { writePlanJson, writePlanTable } from './plan-report';

export type PlanOutput = 'table' | 'json';

export interface RunPlanOptions {
  readonly config: Config;
  /** A saved DescribeSnapshots listing (see inventory-file.ts for the shapes accepted). */
  readonly inventoryPath: string;
  /** A saved DescribeDisks listing; without it every source disk counts as existing. */
  readonly disksPath?: string;
  readonly now: Date;
  readonly output: PlanOutput;
  readonly out: NodeJS.WritableStream;
  /** Progress bars for large files; drawn only when this is a TTY. */
  readonly progress?: NodeJS.WritableStream;
}

/**
 * The offline `plan`: reads the inventory (and disk list) from files, plans, and writes the
 * plan to `out`. It deletes nothing and needs neither Redis nor the API. Inventory findings
 * (items without an id, repeats) are added to the plan's warnings. Throws InventoryError for
 * an invalid or incomplete file, before anything is written.
 */
export async function runPlan(options: RunPlanOptions): Promise<Plan> {
  const { config } = options;
  const inventory = await readSnapshotInventory(options.inventoryPath, {
    fallbackRegionId: config.regions[0] ?? 'unknown',
    progress: options.progress,
  });
  const disks: DiskInventory =
    options.disksPath === undefined
      ? { kind: 'assume-all' }
      : await readDiskInventory(options.disksPath, { progress: options.progress });

  const planned = planRetention({
    snapshots: inventory.snapshots,
    disks,
    config,
    now: options.now,
  });
  const plan: Plan = { ...planned, warnings: [...inventory.warnings, ...planned.warnings] };

  await writePlan(plan, options);
  return plan;
}

async function writePlan(plan: Plan, options: RunPlanOptions): Promise<void> {
  if (options.output === 'json') return writePlanJson(plan, options.out);

  const terminal = options.out as Partial<WriteStream>;
  const color = terminal.isTTY === true;
  const width = color ? terminal.columns : undefined;
  await writePlanTable(plan, options.out, { color, width });
}
