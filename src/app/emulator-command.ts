import type { Command } from 'commander';
import {
  DEMO_ACCESS_KEY,
  demoInventory,
  loadEmulatorInventory,
  parseEmulatorFaultFlags,
  parsePortFlag,
  parseUnknownSnapshotFlag,
  startEmulator,
  type EmulatorFaultFlags,
} from '../emulator';
import { UsageError } from './exit-codes';

type Flags = EmulatorFaultFlags & {
  inventory?: string;
  port: string;
  unknownSnapshot?: string;
};

/** `snapshot-reaper emulator`: the local ECS API, for trying the reaper without an account. */
export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description(
      `Start the local ECS API. Point the reaper at it with REAPER_ECS_ENDPOINT=127.0.0.1:PORT REAPER_ECS_PROTOCOL=http and the demo keys ALIBABA_CLOUD_ACCESS_KEY_ID=${DEMO_ACCESS_KEY.id} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${DEMO_ACCESS_KEY.secret}.`,
    )
    .option(
      '--inventory <file>',
      'JSON or YAML {snapshots, disks, images} (default: the demo inventory)',
    )
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', '8787')
    .option('--latency <ms|Action=ms,...>', 'delay every answer')
    .option('--quota <Action=max/ms[/retryAfterMs]...>', 'answer Throttling.User above this rate')
    .option('--error-rate <fraction>', 'answer this share of calls with 500/503')
    .option('--reset-rate <fraction>', 'reset this share of connections without an answer')
    .option('--hang-rate <fraction>', 'never answer this share of calls')
    .option('--fault-actions <Action,...>', 'limit the rate faults to these actions')
    .option(
      '--unknown-snapshot <mode>',
      'DeleteSnapshot of an unknown id: not-found (404) or ignore (200)',
    )
    .action(async (flags: Flags) => {
      const options = await emulatorOptions(flags);
      const emulator = await startEmulator(options);
      process.stdout.write(`ECS emulator listening on http://${emulator.endpoint}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await emulator.close();
    });
}

async function emulatorOptions(flags: Flags) {
  try {
    const inventory = flags.inventory
      ? await loadEmulatorInventory(flags.inventory)
      : demoInventory(new Date());
    return {
      inventory,
      port: parsePortFlag(flags.port),
      faults: parseEmulatorFaultFlags(flags),
      ...(flags.unknownSnapshot && {
        unknownSnapshot: parseUnknownSnapshotFlag(flags.unknownSnapshot),
      }),
    };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
