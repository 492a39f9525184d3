import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/client';
import { logger } from '../log/logger';

export type Db = PrismaClient;

interface DatabaseRuntime {
  url: string;
  poolSize: number;
  preparedStatements: boolean;
  connectTimeoutMs: number;
  statementTimeoutMs: number | null;
  pool?: pg.Pool;
  client?: PrismaClient;
}

const GLOBAL_KEY = Symbol.for('optare.database');
type Holder = { [GLOBAL_KEY]?: DatabaseRuntime };

/**
 * Sets the database this process talks to. The bootstrap (server, CLI or test setup) calls it
 * once it knows the URL: the configured PostgreSQL, or the embedded database's private socket.
 * Kept on globalThis so Next.js's route bundles share the bootstrap's pool.
 */
export function connectDatabase(
  url: string,
  poolSize: number,
  options: { preparedStatements?: boolean; connectTimeoutMs?: number; statementTimeoutMs?: number | null } = {},
): void {
  (globalThis as Holder)[GLOBAL_KEY] = {
    url,
    poolSize,
    preparedStatements: options.preparedStatements ?? false,
    connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    statementTimeoutMs: options.statementTimeoutMs ?? null,
  };
}

/**
 * How long a request waits for a connection, opening one or for one of the pool's to come free,
 * before it fails as the database being unavailable (a 503 with Retry-After). pg waits forever by
 * default: behind a database host that drops packets, every request hung for the kernel's connect
 * timeout, about two minutes, and with the pool exhausted, for as long as it stayed so. The same
 * 15 s the advisory-lock transactions allow themselves to start (`maxWait`).
 */
export const CONNECT_TIMEOUT_MS = 15_000;

export function db(): PrismaClient {
  const runtime = connected();
  runtime.client ??= new PrismaClient({ adapter: new PrismaPg(pool(runtime)) });
  return runtime.client;
}

/**
 * The connection pool Prisma uses, for the few queries that go around it (the rate limiter's
 * store, rate-limiter-flexible's own SQL against the table a migration made).
 */
export function pgPool(): pg.Pool {
  return pool(connected());
}

/**
 * Runs one of the protocol endpoints' statements on the pool and returns its rows. With
 * prepared statements (PostgreSQL, OPTARE_DATABASE_PREPARED_STATEMENTS), each connection
 * prepares it once under `name` and PostgreSQL stops planning it on every call: the userinfo
 * statement went from about 5,000 to 15,000 executions/s (docs/decisions.md, "Prepared
 * statements"). Unnamed on the embedded database: every connection to it shares one PGlite
 * session, where a second connection preparing the same name fails.
 */
export async function queryRows<Row extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<Row[]> {
  const runtime = connected();
  const { rows } = await pool(runtime).query<Row>(runtime.preparedStatements ? { name, text, values } : { text, values });
  return rows;
}

/** The first row of a statement run as queryRows runs it, or null. */
export async function queryFirstRow<Row extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<Row | null> {
  const rows = await queryRows<Row>(name, text, values);
  return rows[0] ?? null;
}

export async function disconnectDatabase(): Promise<void> {
  const holder = globalThis as Holder;
  const runtime = holder[GLOBAL_KEY];
  delete holder[GLOBAL_KEY];
  await runtime?.client?.$disconnect();
  await runtime?.pool?.end();
}

function connected(): DatabaseRuntime {
  const runtime = (globalThis as Holder)[GLOBAL_KEY];
  if (!runtime) throw new Error('The database is not connected: start Optare with `npm start`.');
  return runtime;
}

/**
 * TCP keepalive on the kept connections, first probe after this long idle. A firewall, NAT or load
 * balancer between Optare and PostgreSQL forgets a connection idle for a few minutes (AWS's
 * Network Load Balancer after 350 s, Azure's after 240 s) without telling either end; the next
 * statement sent on it would then wait out TCP's retransmissions, about 15 minutes. A probe a
 * minute keeps such a path open; one that dies all the same is found by the unanswered probes
 * (Linux's defaults: nine, 75 s apart) while the connection is idle, not by a request.
 */
export const KEEPALIVE_IDLE_MS = 60_000;

function pool(runtime: DatabaseRuntime): pg.Pool {
  if (!runtime.pool) {
    // A connection, once opened, stays open (pg closes one idle for 10 s by default). Opening one
    // costs a handshake and a cold PostgreSQL backend that plans every prepared statement anew:
    // about 20 ms on an idle 2-core machine, far more under load, paid by the first requests of
    // every burst after a lull (docs/decisions.md, "A connection pool that stays open"). Idle
    // connections do not keep a process (the CLI, a test) alive.
    runtime.pool = new pg.Pool({
      connectionString: runtime.url,
      max: runtime.poolSize,
      idleTimeoutMillis: 0,
      allowExitOnIdle: true,
      connectionTimeoutMillis: runtime.connectTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
      // Sent in the startup message, so PostgreSQL applies it to the whole session, whichever
      // statement runs; pg's own query_timeout would only stop waiting and leave the statement
      // running (and its locks held) on the server.
      ...(runtime.statementTimeoutMs === null ? {} : { statement_timeout: runtime.statementTimeoutMs }),
    });
    // An idle connection dropped by the server (a restart, a failover) must not crash the
    // process: the pool discards it, and the next query opens a new one or fails with a 503.
    // pg-pool hangs the client on the error (`error.client`): logged whole, it took some 10 kB a
    // line and the backend's cancel key with it. What was lost and why is enough.
    runtime.pool.on('error', (error: Error & { code?: string }) =>
      logger().warn({ reason: error.message, code: error.code }, 'a database connection was lost'),
    );
  }
  return runtime.pool;
}
