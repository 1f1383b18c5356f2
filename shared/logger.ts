import winston from 'winston';

/** Structured logger; fields such as rolloutId, host and step travel with each line. */
export type Logger = winston.Logger;

export interface LoggerOptions {
  component: 'convoyd' | 'convoy-agent' | 'convoy';
  level?: string;
  /** Force JSON (default: JSON unless stderr is a terminal). */
  json?: boolean;
  /** Extra fields on every line (agent id, ...). */
  fields?: Record<string, unknown>;
}

/** Creates the component's logger, writing to stderr so stdout stays for command output. */
export function createLogger(opts: LoggerOptions): Logger {
  const json = opts.json ?? !process.stderr.isTTY;
  const format = json
    ? winston.format.combine(winston.format.timestamp(), winston.format.json())
    : winston.format.combine(
        winston.format.timestamp({ format: 'HH:mm:ss' }),
        winston.format.printf((info) => {
          const { level, message, timestamp, component: _c, ...rest } = info;
          const extra = Object.entries(rest)
            .filter(([k]) => typeof k === 'string')
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          return `${String(timestamp)} ${level.padEnd(5)} ${String(message)}${extra ? ' ' + extra : ''}`;
        }),
      );
  return winston.createLogger({
    level: opts.level ?? process.env.CONVOY_LOG_LEVEL ?? 'info',
    defaultMeta: { component: opts.component, ...opts.fields },
    format,
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] })],
  });
}

/** A logger that drops everything (unit tests). */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
