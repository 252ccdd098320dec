#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { ENV_OVERRIDES, loadConfig } from './config/load';
import type { Config } from './config/schema';
import { openContext, type ReaperContext } from './app/context';
import { startDemo } from './app/demo';
import { describeFailure, exitCodeOf, EXIT, UsageError } from './app/exit-codes';
import { runPlan, type PlanOutput } from './app/plan';
import { writePlanJson, writePlanTable } from './app/plan-report';
import { createProgress, describeCounts, scanProgress } from './app/progress';
import { renderRunReport } from './app/run-report';
import { scanRegions } from './app/scan';
import { runOnce, startService } from './app/service';
import { registerReviewCommands } from './app/review-commands';
import { registerEmulatorCommand } from './app/emulator-command';
import { SdkEcsGateway } from './ecs/sdk-gateway';
import { parseUtcTimestamp, planRetention } from './retention';
import { createLogger, type Logger } from './observability/logger';

let exitCode: number = EXIT.ok;

function version(): string {
  const manifest = readFileSync(join(__dirname, '..', 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/** Commander drops an action's return value; the exit code travels through here instead. */
function act<A extends unknown[]>(run: (...args: A) => Promise<number>) {
  return async (...args: A): Promise<void> => {
    exitCode = await run(...args);
  };
}

/** Flags every command shares. */
interface CommonFlags {
  readonly config?: string;
  readonly logLevel: string;
}

const program = new Command('snapshot-reaper')
  .description(
    'Keeps Alibaba Cloud ECS disk snapshots within a retention policy: plans which snapshots expired, queues one delete job each, deletes them under a shared rate limit, and parks the ones images or disks still use for review.',
  )
  .version(version(), '-V, --version', 'print the version')
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (text, write) => write(text) })
  .addHelpText(
    'after',
    `
Configuration: --config FILE is merged over config/default.yaml; the default mode is dry-run.
Environment: ${Object.keys(ENV_OVERRIDES).join(', ')}; credentials from the Alibaba default chain (ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET, RRSA, profile, ECS RAM role).
Exit codes: 0 done (parked snapshots included), 1 the run failed, 2 bad input or config, 3 a safety guard refused the run.`,
  );

/**
 * The long-running commands log their lifecycle (info) for the cluster's log store; the ones
 * people run at a terminal show only warnings and errors unless asked.
 */
function common(command: Command, defaultLogLevel: 'warn' | 'info' = 'warn'): Command {
  return command
    .option(
      '-c, --config <file>',
      'YAML config merged over the built-in defaults (config/default.yaml)',
    )
    .addOption(
      new Option('--log-level <level>', 'pino log level (logs go to stderr)')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'silent'])
        .default(defaultLogLevel),
    );
}

export async function loadCliConfig(flags: { config?: string }): Promise<Config> {
  return loadConfig({ path: flags.config, env: process.env });
}

function parseNow(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const nowMs = parseUtcTimestamp(text);
  if (nowMs === null) {
    throw new UsageError(
      `--now: found "${text}"; allowed: a real UTC time in ISO 8601 such as 2026-12-01T00:00:00Z`,
    );
  }
  return new Date(nowMs);
}

common(
  program
    .command('plan')
    .description(
      'Print what each snapshot would get (delete, keep, park) and why. Never deletes; needs no Redis.',
    )
    .option(
      '--inventory <file>',
      'plan a saved DescribeSnapshots listing instead of asking the API',
    )
    .option('--disks <file>', 'a saved DescribeDisks listing (which source disks still exist)')
    .option('--now <iso8601>', 'plan as of this instant (default: now)')
    .addOption(
      new Option('--output <format>', 'output').choices(['table', 'json']).default('table'),
    ),
).action(
  act(
    async (
      flags: CommonFlags & { inventory?: string; disks?: string; now?: string; output: PlanOutput },
    ) => {
      const config = await loadCliConfig(flags);
      const now = parseNow(flags.now);
      if (flags.inventory) {
        await runPlan({
          config,
          now,
          inventoryPath: flags.inventory,
          disksPath: flags.disks,
          output: flags.output,
          out: process.stdout,
          progress: process.stderr,
        });
        return EXIT.ok;
      }
      return planLive(config, flags.output, now, createLogger({ level: flags.logLevel }));
    },
  ),
);

async function planLive(config: Config, output: PlanOutput, now: Date, logger: Logger) {
  const ecs = new SdkEcsGateway({
    connection: {
      endpoint: config.ecs.endpoint,
      protocol: config.ecs.protocol,
      timeoutMs: config.ecs.timeout,
    },
  });
  const scan = await scanRegions(ecs, config, logger, scanProgress(process.stderr));
  if (process.stderr.isTTY) process.stderr.write('\n');
  const plan = planRetention({ ...scan, config, now });
  await (output === 'json'
    ? writePlanJson(plan, process.stdout)
    : writePlanTable(plan, process.stdout));
  return EXIT.ok;
}

common(
  program
    .command('run')
    .description(
      'Scheduler, workers and server in one process. With --once: one cycle, wait for the queue to drain, print a summary, exit.',
    )
    .option('--once', 'run one cycle now and exit when its jobs are done'),
  'info',
).action(
  act(async (flags: CommonFlags & { once?: boolean }) => {
    const config = await loadCliConfig(flags);
    const logger = createLogger({ level: flags.logLevel });
    const ctx = await openContext(config, { logger });
    return flags.once
      ? onceAndReport(ctx)
      : serveUntilSignal(ctx, { scheduler: true, workers: true });
  }),
);

common(
  program
    .command('worker')
    .description('Only the delete workers, for a separate Kubernetes workload.'),
  'info',
).action(
  act(async (flags: CommonFlags) => {
    const ctx = await openContext(await loadCliConfig(flags), {
      logger: createLogger({ level: flags.logLevel }),
    });
    return serveUntilSignal(ctx, { scheduler: false, workers: true });
  }),
);

common(
  program
    .command('scheduler')
    .description('Only the cron producer: scan, plan and queue on the schedule.'),
  'info',
).action(
  act(async (flags: CommonFlags) => {
    const ctx = await openContext(await loadCliConfig(flags), {
      logger: createLogger({ level: flags.logLevel }),
    });
    return serveUntilSignal(ctx, { scheduler: true, workers: false });
  }),
);

common(
  program
    .command('demo')
    .description(
      'The whole system on the local ECS emulator (bundled demo inventory) and a private Redis (or REDIS_URL), in enforce mode.',
    )
    .option('--once', 'run one cycle and exit (status 0) instead of staying on the schedule'),
).action(
  act(async (flags: CommonFlags & { once?: boolean }) => {
    const logger = createLogger({ level: flags.logLevel });
    const world = await startDemo({
      configPath: flags.config,
      redisUrl: process.env.REDIS_URL || undefined,
      env: process.env,
      logger,
      now: new Date(),
    });
    process.stderr.write(
      `demo: ECS emulator at http://${world.emulator.endpoint}, Redis at ${world.redisUrl}\n`,
    );
    try {
      // The demo's own Redis lives only as long as the demo: say how to look while it runs.
      const review = `REDIS_URL=${world.redisUrl} REAPER_REDIS_PREFIX=${world.ctx.config.redis.prefix} npm run reaper -- dead-letters list (while the demo runs)`;
      const code = await onceAndReport(world.ctx, false, review);
      if (flags.once || code !== EXIT.ok) return code;
      return await serveUntilSignal(world.ctx, { scheduler: true, workers: true }, false);
    } finally {
      await world.close();
    }
  }),
);

common(
  program
    .command('config')
    .command('check')
    .description('Validate a config and print it resolved (defaults, file, environment).'),
).action(
  act(async (flags: CommonFlags) => {
    const config = await loadCliConfig(flags);
    process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    process.stderr.write(`config ok: mode ${config.mode}, ${config.policies.length} policies\n`);
    return EXIT.ok;
  }),
);

registerReviewCommands(program, { common, act, loadConfig: loadCliConfig });
registerEmulatorCommand(program);

async function onceAndReport(
  ctx: ReaperContext,
  close = true,
  reviewCommand?: string,
): Promise<number> {
  const progress = createProgress(process.stderr, 'deleting');
  try {
    const result = await runOnce(ctx, {
      onScanProgress: scanProgress(process.stderr),
      onProgress: (done, total, counts) => progress.update(done, total, describeCounts(counts)),
    });
    progress.stop();
    process.stdout.write(`${renderRunReport(result.start, result.outcomes, reviewCommand)}\n`);
    return EXIT.ok;
  } finally {
    progress.stop();
    if (close) await ctx.close();
  }
}

async function serveUntilSignal(
  ctx: ReaperContext,
  roles: { scheduler: boolean; workers: boolean },
  close = true,
): Promise<number> {
  const service = await startService(ctx, roles, (result) => {
    if (result instanceof Error) process.stderr.write(`${describeFailure(result)}\n`);
    else ctx.logger.info({ runId: result.runId, queued: result.queued.length }, 'cycle queued');
  });
  process.stderr.write(
    `${roles.scheduler ? `scheduled "${ctx.config.schedule}" (${ctx.config.timezone})` : 'workers'} running; Ctrl-C to stop\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write('stopping: letting jobs in flight finish\n');
  await service.stop(ctx.config.deletion.shutdownGrace);
  if (close) await ctx.close();
  return EXIT.ok;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return handleError(error);
  }
}

function handleError(error: unknown): number {
  const commanderCode = (error as { code?: string }).code;
  if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) {
    const helpShown = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(
      commanderCode,
    );
    return helpShown ? EXIT.ok : EXIT.badInput;
  }
  process.stderr.write(`${describeFailure(error)}\n`);
  return exitCodeOf(error);
}

if (require.main === module) {
  void main(process.argv).then((code) => process.exit(code));
}
