import 'server-only';
import pino, { type Logger } from 'pino';

const GLOBAL_KEY = Symbol.for('optare.logger');
type Holder = { [GLOBAL_KEY]?: Logger };

/**
 * The process's JSON logger. Never pass it a password, a token, a code, a key or a full OAuth
 * query string; the redact list is a second line of defence, not the first.
 */
export function logger(): Logger {
  const holder = globalThis as Holder;
  holder[GLOBAL_KEY] ??= createLogger(process.env.LOG_LEVEL ?? 'info');
  return holder[GLOBAL_KEY];
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'optare' },
    timestamp: isoTimestamp,
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret', 'authorization', '*.authorization', 'cookie', '*.cookie'],
      censor: '[redacted]',
    },
  });
}

let stampedAt = 0;
let stamp = '';

/**
 * pino's isoTime, formatted once per millisecond rather than once per line: a busy server writes
 * several request lines in the same millisecond.
 */
export function isoTimestamp(): string {
  const now = Date.now();
  if (now !== stampedAt) {
    stampedAt = now;
    stamp = `,"time":"${new Date(now).toISOString()}"`;
  }
  return stamp;
}

export function installLogger(instance: Logger): void {
  (globalThis as Holder)[GLOBAL_KEY] = instance;
}
