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
