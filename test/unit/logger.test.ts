import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectionErrorLogger } from '../../src/observability/logger';

/** A pino logger whose lines are parsed into records, as pino's own tests do. */
function capturingLogger() {
  const records: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ base: null, timestamp: false }, sink), records };
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
}

afterEach(() => vi.useRealTimers());

describe('connection error logging during a Redis outage', () => {
  it('logs the first error of a kind and counts the repeats until the quiet time is over', () => {
    vi.useFakeTimers({ now: 0 });
    const { logger, records } = capturingLogger();
    const onError = connectionErrorLogger(logger, 'queue error', 30_000);

    for (let n = 0; n < 50; n += 1) onError(refused());
    vi.setSystemTime(30_000);
    onError(refused());

    expect(records.map(({ msg, repeats, level }) => ({ msg, repeats, level }))).toEqual([
      { msg: 'queue error', repeats: 0, level: 50 },
      { msg: 'queue error', repeats: 49, level: 50 },
    ]);
  });

  it('logs each new kind of error at once', () => {
    const { logger, records } = capturingLogger();
    const onError = connectionErrorLogger(logger, 'worker error');

    onError(refused());
    onError(new Error('READONLY You cannot write against a read only replica.'));

    expect(records).toHaveLength(2);
  });
});
