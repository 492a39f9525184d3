/**
 * Whether an error means the database cannot serve right now (down, restarting, out of
 * connections, no connection free in time, a statement over its time limit), as opposed to a bug
 * or bad data: such a request deserves a 503 and a retry, not a 500. Covers Prisma's errors (with
 * the driver adapter's cause) and pg's own (the rate limiter queries through pg directly).
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'DatabaseAccessDenied']);
/**
 * PostgreSQL SQLSTATEs of class 08 (connection exception), 57P0x (operator intervention), 53300
 * (too many connections) and 57014 (a statement cancelled, as OPTARE_DATABASE_STATEMENT_TIMEOUT does).
 */
const SQLSTATE = /^(08\d{3}|57P0[1-4]|57014|53300)$/;
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENOENT']);

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
    const { code, meta, message } = current as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } }; message?: unknown };
    if (typeof code === 'string' && (PRISMA_CODES.has(code) || SQLSTATE.test(code) || NODE_CODES.has(code))) return true;
    const cause = meta?.driverAdapterError?.cause;
    if (typeof cause?.kind === 'string' && ADAPTER_KINDS.has(cause.kind)) return true;
    // An error Prisma has no kind for keeps PostgreSQL's SQLSTATE (kind 'postgres').
    if (cause?.kind === 'postgres' && typeof cause.code === 'string' && SQLSTATE.test(cause.code)) return true;
    if (typeof message === 'string' && /Connection terminated|connection timeout|timeout exceeded when trying to connect|Can't reach database server/i.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
