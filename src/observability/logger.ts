import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs, one line per lifecycle event, fields first and a short constant message. Secrets
 * that could reach a log line are redacted by path.
 */
export function createLogger(options: { level?: string; destination?: number } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'snapshot-reaper' },
      redact: {
        paths: ['accessKey', '*.accessKey', 'secret', '*.secret', 'password', '*.password'],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: options.destination ?? 2, sync: true }),
  );
}

/** A logger that writes nothing, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * A listener for connection errors that BullMQ emits many times a second while Redis is down:
 * the first of each kind is logged, repeats within `quietMs` are only counted, and the count is
 * logged with the next one that gets through.
 */
export function connectionErrorLogger(logger: Logger, message: string, quietMs = 30_000) {
  const lastLogged = new Map<string, number>();
  const suppressed = new Map<string, number>();

  return (error: Error): void => {
    const kind = (error as NodeJS.ErrnoException).code ?? error.message;
    const now = Date.now();
    const last = lastLogged.get(kind);
    if (last !== undefined && now - last < quietMs) {
      suppressed.set(kind, (suppressed.get(kind) ?? 0) + 1);
      return;
    }
    logger.error({ err: error, repeats: suppressed.get(kind) ?? 0 }, message);
    lastLogged.set(kind, now);
    suppressed.delete(kind);
  };
}
