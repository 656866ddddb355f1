/**
 * Structured logs: one JSON object per line (`time`, `level`, `msg`, then fields), the shape
 * log shippers (journald, Loki, CloudWatch) index without parsing rules. The sink is passed
 * in, so tests read the lines and the server writes them to stdout.
 *
 * @example
 *   const log = jsonLogger({ write: stdoutLineSink().write }); // lineSink.ts
 *   log.info('request', { request_id: 'abc', status: 200 });
 *   // {"time":"2026-…Z","level":"info","msg":"request","request_id":"abc","status":200}
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  /** Receives each line including its trailing newline; `urgent` for `error` lines (lineSink.ts). */
  write: (line: string, urgent?: boolean) => void;
  /** Lines below this level are dropped. */
  level?: LogLevel;
  now?: () => Date;
}

export function jsonLogger({ write, level = 'info', now = () => new Date() }: JsonLoggerOptions): Logger {
  const log = (lvl: LogLevel, msg: string, fields: Record<string, unknown> = {}): void => {
    if (RANK[lvl] < RANK[level]) return;
    write(`${JSON.stringify({ time: now().toISOString(), level: lvl, msg, ...fields }, replacer)}\n`, lvl === 'error');
  };
  return {
    log,
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  const nothing = (): void => {};
  return { log: nothing, info: nothing, warn: nothing, error: nothing };
}

/** Errors become {name, message, code?, stack}; bigints become strings. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, ...('code' in value ? { code: value.code } : {}), stack: value.stack };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
