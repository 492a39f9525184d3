import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as signUpRoute } from '../../app/api/auth/sign-up/route';
import { loadConfig } from '../../lib/config';
import { connectDatabase, db, disconnectDatabase, pgPool } from '../../lib/db/client';
import { isDatabaseUnavailable } from '../../lib/db/unavailable';
import { openDatabase } from '../../lib/db/open';
import { withAuditRetentionLock } from '../../lib/db/audit-retention';
import { invalidateClientCache } from '../../lib/oauth/clients/cache';
import { GOOD_PASSWORD, uniqueEmail } from '../support/context';
import type { TestDatabase } from '../support/database';
import { ISSUER, newClient, newUser, openOAuthTestDatabase, refresh, signIn, userinfo } from '../integration/token-endpoint.helpers';

/**
 * OPTARE_DATABASE_STATEMENT_TIMEOUT: PostgreSQL cancels a statement that runs longer, so a request
 * stuck behind a lock (or a query gone slow) is answered 503 and gives its connection back,
 * instead of holding one of the pool's few connections for as long as the lock lasts.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
});
afterAll(() => database.close());

/** Runs `run` with the pool (of `size` connections) limited to `statementTimeoutMs`, then back as the test database had it. */
async function withStatementTimeout<T>(statementTimeoutMs: number | null, run: () => Promise<T>, size = 2): Promise<T> {
  await disconnectDatabase();
  connectDatabase(database.url, size, { preparedStatements: true, statementTimeoutMs });
  invalidateClientCache();
  try {
    return await run();
  } finally {
    await disconnectDatabase();
    connectDatabase(database.url, 5, { preparedStatements: true });
  }
}

async function currentStatementTimeout(): Promise<string> {
  return (await pgPool().query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]!.statement_timeout;
}

/** Holds ACCESS EXCLUSIVE locks on `tables` from a connection of its own until `release`. */
async function lockTables(...tables: string[]): Promise<{ release: () => Promise<void> }> {
  const holder = new pg.Client({ connectionString: database.url });
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query(`LOCK TABLE ${tables.map((table) => `"${table}"`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
  return {
    release: async () => {
      await holder.query('ROLLBACK');
      await holder.end();
    },
  };
}

describe('OPTARE_DATABASE_STATEMENT_TIMEOUT', () => {
  it('is each pool connection’s statement_timeout when openDatabase opens PostgreSQL, and absent with off', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-statement-timeout-'));
    const env = (value: string) => ({ DATABASE_URL: database.url, OPTARE_DATA_DIR: path.join(cwd, 'data'), OPTARE_DATABASE_STATEMENT_TIMEOUT: value });
    try {
      await disconnectDatabase();
      for (const [value, shown] of [['2s', '2s'], ['', '30s'], ['off', '0']] as const) {
        const opened = await openDatabase(loadConfig(env(value), { cwd }), { role: 'server', shareWithOwner: false });
        try {
          expect(await currentStatementTimeout(), `OPTARE_DATABASE_STATEMENT_TIMEOUT=${value}`).toBe(shown);
        } finally {
          await opened.close();
        }
      }
    } finally {
      connectDatabase(database.url, 5, { preparedStatements: true });
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('answers 503 temporarily_unavailable with Retry-After at the token and userinfo endpoints when a lock outlasts it, writes nothing, and the pool serves on', async () => {
    const app = await newClient();
    const tokens = await signIn(app, await newUser());
    const lock = await lockTables('refresh_tokens', 'users');
    let answers;
    const started = performance.now();
    try {
      answers = await withStatementTimeout(300, async () => [await refresh(app, tokens.refresh_token!), await userinfo(tokens.access_token)]);
    } finally {
      await lock.release();
    }
    // Each waited its 300 ms, not for the lock (held until both had answered).
    expect(performance.now() - started).toBeLessThan(10_000);
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(503);
      expect(answer.body).toMatchObject({ error: 'temporarily_unavailable' });
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(JSON.stringify(answer.body)).not.toMatch(/statement timeout|57014|canceling/i);
    }
    // The cancelled refresh wrote nothing: the same refresh token still rotates, on a pool with the limit.
    const after = await withStatementTimeout(300, () => refresh(app, tokens.refresh_token!));
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect((await userinfo(after.body.access_token!)).status).toBe(200);
  });

  it('answers 503 service_unavailable at the sign-up API (queries through Prisma) when a lock outlasts it, and creates nothing', async () => {
    const email = uniqueEmail('statement-timeout');
    const signUpRequest = () =>
      new NextRequest(`${ISSUER}/api/auth/sign-up`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ISSUER },
        body: JSON.stringify({ email, password: GOOD_PASSWORD, name: 'Grace Hopper' }),
      });
    const lock = await lockTables('users');
    let response: Response;
    try {
      response = await withStatementTimeout(300, () => signUpRoute(signUpRequest()));
    } finally {
      await lock.release();
    }
    const text = await response.text();
    expect(response.status, text).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(JSON.parse(text)).toMatchObject({ error: 'service_unavailable' });
    expect(await database.sql('SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
    const created = await withStatementTimeout(300, () => signUpRoute(signUpRequest()));
    expect(created.status, await created.clone().text()).toBe(201);
  });

  it('cancels the statement on the server, so the lock it waited for is no longer wanted', async () => {
    const lock = await lockTables('users');
    try {
      await withStatementTimeout(200, async () => {
        await expect(pgPool().query('SELECT count(*) FROM "users"')).rejects.toMatchObject({ code: '57014' });
        // Through Prisma too, the error is one that gets a 503.
        const throughPrisma = await db().user.count().then(() => null, (error: unknown) => error);
        expect(isDatabaseUnavailable(throughPrisma), String(throughPrisma)).toBe(true);
        // PostgreSQL lists no backend of this database still waiting for a lock.
        const waiting = await database.sql<{ count: string }>(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        expect(waiting[0]?.count).toBe('0');
      });
    } finally {
      await lock.release();
    }
  });

  it('gives the audit retention transaction its own two minutes, for that transaction only', async () => {
    await withStatementTimeout(
      300,
      async () => {
        const inside = await withAuditRetentionLock(async (tx) => (await tx.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`)[0]?.statement_timeout);
        expect(inside).toBe('2min');
        // The same (only) connection afterwards: back to the session's limit.
        expect(await currentStatementTimeout()).toBe('300ms');
      },
      1,
    );
  });
});
