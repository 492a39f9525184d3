import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { connectDatabase, disconnectDatabase, KEEPALIVE_IDLE_MS, pgPool, queryRows } from '../../lib/db/client';
import { findUserinfoSource, isAccessTokenDenied } from '../../lib/db/grants';
import { installLogger, logger } from '../../lib/log/logger';
import { openTestDatabase, type TestDatabase } from '../support/database';

/**
 * OPTARE_DATABASE_PREPARED_STATEMENTS: on PostgreSQL the protocol endpoints' statements are
 * prepared once per connection under their name, so PostgreSQL plans them once; without it (and
 * always on the embedded database, whose connections share one PGlite session) they go unnamed.
 * A pool of one connection lets the test read that connection's pg_prepared_statements.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterEach(async () => {
  await disconnectDatabase();
  connectDatabase(database.url, 1);
});
afterAll(() => database.close());

const preparedNames = async () =>
  (await queryRows<{ name: string }>('optare.test_prepared_names', 'SELECT name FROM pg_prepared_statements ORDER BY name', [])).map((row) => row.name);

const backend = async () => (await queryRows<{ pid: number }>('optare.test_backend_pid', 'SELECT pg_backend_pid() AS pid', []))[0]!.pid;

const token = () => ({ jti: randomUUID(), clientId: 'no-such-client', grantId: randomUUID() });

async function reconnect(preparedStatements: boolean, poolSize = 1) {
  await disconnectDatabase();
  connectDatabase(database.url, poolSize, { preparedStatements });
}

// PostgreSQL only: the embedded database never prepares named statements (the last test).
if (process.env.OPTARE_TEST_DB === 'postgres') {
  describe('prepared statements on PostgreSQL', () => {
    it('prepares the userinfo and denylist statements under their names, once per connection', async () => {
      await reconnect(true);
      const first = await findUserinfoSource(token(), randomUUID());
      const second = await findUserinfoSource(token(), randomUUID());
      expect(first).toEqual({ denied: true, user: null, grantClaims: null });
      expect(second).toEqual(first);
      expect(await isAccessTokenDenied(randomUUID(), 'no-such-client', null)).toBe(true);
      expect(await preparedNames()).toEqual(['optare.access_token_denied', 'optare.test_prepared_names', 'optare.userinfo_source']);
    });

    it('answers concurrent look-ups from many connections, each preparing its own copy', async () => {
      await reconnect(true, 4);
      const results = await Promise.all(Array.from({ length: 16 }, () => isAccessTokenDenied(randomUUID(), 'no-such-client', null)));
      expect(results).toEqual(Array.from({ length: 16 }, () => true));
    });

    it('keeps an idle connection, and so its prepared statements, open past a lull (pg closes one idle for 10 s by default)', async () => {
      await reconnect(true, 2);
      // The pool's idle timer starts when a connection is released: fake timers from before the query.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        const before = await backend();
        await isAccessTokenDenied(randomUUID(), 'no-such-client', null);
        vi.advanceTimersByTime(10 * 60_000);
        expect(pgPool().totalCount).toBe(1);
        expect(await backend()).toBe(before);
      } finally {
        vi.useRealTimers();
      }
      expect(await preparedNames()).toContain('optare.access_token_denied');
    });

    it('replaces a kept connection that PostgreSQL closes while idle (idle_session_timeout) without failing a request', async () => {
      await reconnect(true, 1);
      const lines: string[] = [];
      const previous = logger();
      installLogger(pino({ level: 'info' }, { write: (line: string) => lines.push(line) }));
      onTestFinished(() => installLogger(previous));
      await queryRows('optare.test_idle_timeout', "SELECT set_config('idle_session_timeout', '50ms', false)", []);
      const closed = await backend();
      await vi.waitFor(() => expect(pgPool().totalCount).toBe(0), { timeout: 5_000, interval: 20 });
      expect(await backend()).not.toBe(closed);
      expect(await isAccessTokenDenied(randomUUID(), 'no-such-client', null)).toBe(true);
      // The loss is logged by what was lost and why, not with the client pg-pool hangs on the error.
      expect(lines.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ msg: 'a database connection was lost', reason: 'terminating connection due to idle-session timeout', code: '57P05' }),
      ]);
      expect(lines[0]).not.toMatch(/secretKey|processID|connectionParameters/);
    });

    it('keeps TCP keepalive on its connections, the first probe after a minute idle', async () => {
      await reconnect(true, 1);
      const rows = await queryRows<{ port: number }>('optare.test_client_port', 'SELECT inet_client_port() AS port', []);
      const socket = kernelSocket(rows[0]!.port);
      // /proc/net/tcp's timer column: 2 is the keepalive timer (0: none armed), due within the delay.
      expect(socket.timer).toBe(2);
      expect(socket.dueInMs).toBeGreaterThan(0);
      expect(socket.dueInMs).toBeLessThanOrEqual(KEEPALIVE_IDLE_MS);
    });
  });
}

/** The kernel's view of this machine's TCP socket bound to local `port` (Linux: /proc/net/tcp and tcp6). */
function kernelSocket(port: number): { timer: number; dueInMs: number } {
  const tables = ['/proc/net/tcp', '/proc/net/tcp6'].filter((file) => fs.existsSync(file));
  if (tables.length === 0) throw new Error('This test reads the kernel\'s TCP table from /proc/net/tcp: it needs Linux with /proc mounted.');
  const rows = tables.flatMap((file) => fs.readFileSync(file, 'utf8').trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/)));
  // Columns: sl, local address:port, remote address:port, state, tx:rx queues, timer:jiffies until due, …
  const row = rows.find((columns) => Number.parseInt(columns[1]!.split(':')[1]!, 16) === port);
  if (!row) throw new Error(`no socket on local port ${port} in ${tables.join(' or ')}`);
  const [timer, due] = row[5]!.split(':').map((hex) => Number.parseInt(hex, 16)) as [number, number];
  // The due time is in clock ticks (USER_HZ), 100 a second on Linux.
  return { timer, dueInMs: due * 10 };
}

describe('unnamed statements', () => {
  it('leaves statements unnamed when prepared statements are off (a transaction-mode pooler, the embedded database)', async () => {
    await reconnect(false);
    expect(await findUserinfoSource(token(), randomUUID())).toEqual({ denied: true, user: null, grantClaims: null });
    expect(await preparedNames()).toEqual([]);
  });
});
