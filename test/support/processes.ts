import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openContext, type ReaperContext } from '../../src/app/context';
import type { Config } from '../../src/config/schema';
import { deepMerge, loadConfig } from '../../src/config/load';
import {
  DEMO_ACCESS_KEY,
  type ApiSnapshot,
  type EmulatorInventory,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../src/emulator';
import { silentLogger } from '../../src/observability/logger';
import { cleanEnv } from './cli';
import { diskFixture, imageFixture, startTestEmulator } from './emulator';
import { dropPrefix, testRedisUrl, uniquePrefix } from './redis';
import { agedSnapshot, FAST_SETTINGS } from './world';

const ROOT = resolve(__dirname, '../..');

/** How a child process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A long-running `snapshot-reaper` child (`worker`, `scheduler`, `run`). */
export interface ReaperProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  stderr(): string;
  /** Resolves once stderr matches; rejects if the process ends first or time runs out. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

const running = new Set<ReaperProcess>();

/** Spawns `snapshot-reaper ARGS` from the sources; `killReapers()` ends whatever is left. */
export function spawnReaper(args: readonly string[], env: NodeJS.ProcessEnv): ReaperProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });

  const reaper: ReaperProcess = {
    child,
    exited,
    stderr: () => stderr,
    waitForStderr: (pattern, timeoutMs = 20_000) =>
      waitFor(() => pattern.test(stderr), {
        timeoutMs,
        what: `stderr matching ${pattern}`,
        abort: exited.then(() => `the process ended first:\n${stderr}`),
      }),
  };
  running.add(reaper);
  void exited.then(() => running.delete(reaper));
  return reaper;
}

/** Starts a `worker` child on the world's config and waits until it takes jobs. */
export async function startWorkerProcess(world: ProcessWorld): Promise<ReaperProcess> {
  const worker = spawnReaper(['worker', '--config', world.configPath], world.env);
  await worker.waitForStderr(/workers running/);
  return worker;
}

/** Starts a `scheduler` child on the world's config and waits until its schedule is on. */
export async function startSchedulerProcess(world: ProcessWorld): Promise<ReaperProcess> {
  const scheduler = spawnReaper(['scheduler', '--config', world.configPath], world.env);
  await scheduler.waitForStderr(/scheduled .* running/);
  return scheduler;
}

/** SIGKILLs a child and waits until it is gone. */
export async function killHard(reaper: ReaperProcess): Promise<void> {
  reaper.child.kill('SIGKILL');
  await reaper.exited;
}

/** For afterEach: SIGKILLs every child still running and waits for each to exit. */
export async function killReapers(): Promise<void> {
  await Promise.all([...running].map(killHard));
}

/** Thrown by `waitFor` at its deadline. */
export class WaitTimeoutError extends Error {
  constructor(what: string, lastError: unknown) {
    const why = lastError instanceof Error ? ` (last check failed: ${lastError.message})` : '';
    super(`timed out waiting for ${what}${why}`);
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Polls `check` until it holds. A check that throws counts as "not yet" (Redis may be
 * restarting); at the deadline a WaitTimeoutError names `what` and the last failure.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; what: string; pollMs?: number; abort?: Promise<string> },
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let aborted: string | null = null;
  void options.abort?.then((reason) => (aborted = reason));

  let lastError: unknown = null;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (aborted !== null) throw new Error(`gave up waiting for ${options.what}: ${aborted}`);
    if (Date.now() > deadline) throw new WaitTimeoutError(options.what, lastError);
    await new Promise((done) => setTimeout(done, options.pollMs ?? 50));
  }
}

/**
 * An emulator, a config file for child processes and a context of the test's own on the same
 * Redis prefix (to queue runs and to read the ledger, the queue and the dead letters).
 */
export interface ProcessWorld {
  readonly emulator: RunningEmulator;
  readonly config: Config;
  readonly ctx: ReaperContext;
  /** Environment for a child: the emulator's credentials, nothing from the developer's. */
  readonly env: NodeJS.ProcessEnv;
  /** The settings of `config` as a file for `--config`. */
  readonly configPath: string;
  close(): Promise<void>;
}

export interface ProcessWorldOptions {
  readonly inventory: EmulatorInventory;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly emulator?: Omit<EmulatorOptions, 'inventory'>;
  /** A private Redis for this test; default the shared test Redis. */
  readonly redisUrl?: string;
}

export async function startProcessWorld(options: ProcessWorldOptions): Promise<ProcessWorld> {
  const emulator = await startTestEmulator({ ...options.emulator, inventory: options.inventory });
  const prefix = uniquePrefix('proc');
  const redisUrl = options.redisUrl ?? testRedisUrl();
  const overrides = deepMerge(deepMerge(FAST_SETTINGS, options.config ?? {}), {
    ecs: { endpoint: emulator.endpoint, protocol: 'http' },
    redis: { url: redisUrl, prefix },
  });

  const dir = await mkdtemp(join(tmpdir(), 'reaper-proc-'));
  const configPath = join(dir, 'config.yaml');
  // JSON is YAML: the children read the very settings the test's own context uses.
  await writeFile(configPath, JSON.stringify(overrides));
  const config = await loadConfig({ overrides });
  const ctx = await openContext(config, { logger: silentLogger(), accessKey: DEMO_ACCESS_KEY });

  return {
    emulator,
    config,
    ctx,
    configPath,
    env: cleanEnv({
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_ACCESS_KEY.id,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_ACCESS_KEY.secret,
    }),
    async close() {
      await ctx.close();
      if (!options.redisUrl) await dropPrefix(redisUrl, prefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Keep the two newest snapshots of every disk; protect-tagged ones are kept whatever. */
export const KEEP_LAST_TWO = {
  policies: [{ name: 'last-two', match: { snapshotType: 'all' }, keep: { last: 2 } }],
};

/**
 * `disks` live disks with `perDisk` daily snapshots each (days 2…), under KEEP_LAST_TWO: the
 * two newest of each disk are kept, every fifth older one is pinned by an image (parked), every
 * seventh carries retain=true (kept), the rest are deleted.
 */
export function fleetInventory(disks: number, perDisk: number): EmulatorInventory {
  const snapshots: ApiSnapshot[] = [];
  const images = [];
  for (let disk = 1; disk <= disks; disk += 1) {
    for (let day = 2; day < perDisk + 2; day += 1) {
      const id = `s-d${disk}-day${day}`;
      const retain = day % 7 === 0;
      snapshots.push(
        agedSnapshot(id, `d-${disk}`, day, {
          ...(retain && { Tags: { Tag: [{ TagKey: 'retain', TagValue: 'true' }] } }),
        }),
      );
      if (day > 3 && day % 5 === 0 && !retain) images.push(imageFixture(`m-${id}`, id));
    }
  }
  const liveDisks = Array.from({ length: disks }, (_, index) => diskFixture(`d-${index + 1}`));
  return { snapshots, disks: liveDisks, images };
}
