import { SingleBar } from 'cli-progress';
import type { OutcomeCounts } from './drain';

/**
 * Progress on long work: a bar on a terminal, a line every few seconds otherwise (logs and CI
 * should not fill with carriage returns).
 */
export interface Progress {
  update(done: number, total: number, detail: string): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream, label: string): Progress {
  return stream.isTTY ? barProgress(stream, label) : lineProgress(stream, label);
}

function barProgress(stream: NodeJS.WriteStream, label: string): Progress {
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {value}/{total} {detail}`,
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update(done, total, detail) {
      if (!started) bar.start(total, done, { detail });
      started = true;
      bar.setTotal(total);
      bar.update(done, { detail });
    },
    stop: () => started && bar.stop(),
  };
}

function lineProgress(stream: NodeJS.WriteStream, label: string, everyMs = 3_000): Progress {
  let lastAt = 0;
  let last = '';
  return {
    update(done, total, detail) {
      const line = `${label} ${done}/${total} ${detail}`;
      if (line === last || Date.now() - lastAt < everyMs) return;
      stream.write(`${line}\n`);
      [lastAt, last] = [Date.now(), line];
    },
    stop() {},
  };
}

export function describeCounts(counts: OutcomeCounts): string {
  return `deleted ${counts.deleted} · parked ${counts.parked} · skipped ${counts.skipped}`;
}

/**
 * Listing progress: a running count per region on a terminal (the total is not known until
 * the last page), nothing elsewhere; the region's log line says it when it is done.
 */
export function scanProgress(stream: NodeJS.WriteStream) {
  return (regionId: string, listed: number): void => {
    if (stream.isTTY) stream.write(`\rlisting ${regionId}: ${listed} snapshots\x1b[K`);
  };
}
