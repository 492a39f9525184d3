import net from 'node:net';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as startTotp } from '../../app/api/account/totp/start/route';
import { POST as signInRoute } from '../../app/api/auth/sign-in/route';
import { POST as signUpRoute } from '../../app/api/auth/sign-up/route';
import { sessionCookie } from '../../lib/auth/sessions';
import { connectDatabase, disconnectDatabase, pgPool } from '../../lib/db/client';
import { invalidateClientCache } from '../../lib/oauth/clients/cache';
import { logoutEndpoint } from '../../lib/oauth/endpoints/logout';
import type { TestDatabase } from '../support/database';
import { GOOD_PASSWORD, uniqueEmail } from '../support/context';
import * as authz from './authorize-support';
import { ISSUER, newClient, newUser, openOAuthTestDatabase, signIn, token, userinfo } from './token-endpoint.helpers';

/**
 * While the database cannot be reached, the protocol endpoints answer 503
 * temporarily_unavailable, and Optare's own JSON API (app/api) 503 service_unavailable, both
 * with Retry-After (never a 500); a request that failed wrote nothing, and everything works
 * again, by itself, once the database is back.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await openOAuthTestDatabase();
});
afterAll(() => database.close());

/** Runs `run` with the pool (of one connection) on `url`, then back on the test database. */
async function withPoolOn<T>(url: string, run: () => Promise<T>, options: { connectTimeoutMs?: number } = {}): Promise<T> {
  await disconnectDatabase();
  connectDatabase(url, 1, options);
  invalidateClientCache();
  try {
    return await run();
  } finally {
    await disconnectDatabase();
    connectDatabase(database.url, 1);
  }
}

const withDatabaseDown = <T>(run: () => Promise<T>) => withPoolOn('postgresql://optare@127.0.0.1:1/unreachable', run);

/** A new client and a signed-in user's tokens, with the refresh each test makes. */
async function signedInClient() {
  const app = await newClient();
  const tokens = await signIn(app, await newUser());
  return { tokens, refresh: () => token(app, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }) };
}

function expectUnavailable(answer: { status: number; body: unknown; headers: Headers }) {
  expect(answer.status).toBe(503);
  expect(answer.body).toMatchObject({ error: 'temporarily_unavailable' });
  expect(answer.headers.get('retry-after')).toBe('5');
}

describe('a database outage', () => {
  it('gives 503 temporarily_unavailable with Retry-After at the token and userinfo endpoints, then recovers', async () => {
    const { tokens, refresh } = await signedInClient();
    const [tokenAnswer, userinfoAnswer] = await withDatabaseDown(async () => [await refresh(), await userinfo(tokens.access_token)]);
    for (const answer of [tokenAnswer, userinfoAnswer]) {
      expectUnavailable(answer);
      expect(JSON.stringify(answer.body)).not.toMatch(/127\.0\.0\.1|unreachable|P1001/);
    }
    // Back: the same refresh token still works (the failed attempt wrote nothing).
    const after = await refresh();
    expect(after.status).toBe(200);
    expect((await userinfo(after.body.access_token)).status).toBe(200);
  });
});

describe('a database that does not answer in time', () => {
  /** A server that accepts connections and never says a word, as behind a host dropping packets after the handshake. */
  async function blackHole(): Promise<{ url: string; close: () => Promise<void> }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    return {
      url: `postgresql://optare@127.0.0.1:${port}/silent`,
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise((resolve) => server.close(() => resolve()));
      },
    };
  }

  const withPool = <T>(url: string, run: () => Promise<T>) => withPoolOn(url, run, { connectTimeoutMs: 300 });

  it('gives 503 once opening a connection takes longer than the connect timeout, instead of hanging', async () => {
    const { tokens, refresh } = await signedInClient();
    const silent = await blackHole();
    try {
      const started = performance.now();
      const [tokenAnswer, userinfoAnswer] = await withPool(silent.url, () => Promise.all([refresh(), userinfo(tokens.access_token)]));
      expectUnavailable(tokenAnswer);
      expectUnavailable(userinfoAnswer);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await silent.close();
    }
    expect((await refresh()).status).toBe(200);
  });

  it('gives 503 once every connection of the pool stays taken longer than the connect timeout, then serves again', async () => {
    const { tokens, refresh } = await signedInClient();
    const answers = await withPool(database.url, async () => {
      const taken = await pgPool().connect();
      try {
        return await Promise.all([refresh(), userinfo(tokens.access_token)]);
      } finally {
        taken.release();
      }
    });
    for (const answer of answers) expectUnavailable(answer);
    // Nothing was written: the same refresh token still rotates.
    expect((await refresh()).status).toBe(200);
  });
});

describe('a database outage at Optare’s own JSON API', () => {
  function post(path: string, body: unknown, cookie?: string): NextRequest {
    return new NextRequest(`${ISSUER}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ISSUER, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
  }

  async function expectUnavailable(response: Response) {
    const text = await response.text();
    expect(response.status, text).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(JSON.parse(text)).toEqual({ error: 'service_unavailable', message: 'Optare cannot reach its database right now. Try again in a moment.' });
    expect(text).not.toMatch(/127\.0\.0\.1|unreachable|ECONNREFUSED|prisma/i);
  }

  it('gives 503 service_unavailable at sign-up, sign-in and the account API, writes nothing, then recovers', async () => {
    const existing = { email: uniqueEmail('outage'), password: GOOD_PASSWORD, name: 'Existing' };
    const created = await signUpRoute(post('/api/auth/sign-up', existing));
    expect(created.status).toBe(201);
    const cookieName = sessionCookie().name;
    const session = new RegExp(`${cookieName}=([^;]+)`).exec(created.headers.get('set-cookie') ?? '')?.[1];
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = `${cookieName}=${session}`;
    const newcomer = { email: uniqueEmail('outage-new'), password: GOOD_PASSWORD, name: 'Newcomer' };

    const answers = await withDatabaseDown(async () => [
      await signUpRoute(post('/api/auth/sign-up', newcomer)),
      await signInRoute(post('/api/auth/sign-in', { email: existing.email, password: existing.password })),
      await startTotp(post('/api/account/totp/start', {}, cookie)),
    ]);
    for (const answer of answers) await expectUnavailable(answer);

    // Back: the sign-up that failed created nothing, and the rest works again.
    const signedUp = await signUpRoute(post('/api/auth/sign-up', newcomer));
    expect(signedUp.status, await signedUp.clone().text()).toBe(201);
    const signedIn = await signInRoute(post('/api/auth/sign-in', { email: existing.email, password: existing.password }));
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toEqual({ redirectTo: '/' });
    const started = await startTotp(post('/api/account/totp/start', {}, cookie));
    expect(started.status).toBe(200);
    expect(await started.json()).toMatchObject({ secret: expect.any(String), qrCode: expect.stringMatching(/^data:image\/svg\+xml;base64,/) });
  });
});

describe('a database outage at the browser-facing protocol endpoints', () => {
  it('sends the browser to the error page (server_error) at authorize, continue and logout, never a 500', async () => {
    const client = await authz.newClient();
    const browser = await authz.signedInUser();
    const handle = authz.expectHandle(await authz.authorizeGet(authz.authorizeParams(client, { prompt: 'consent' }), browser.cookie), '/consent');
    const answers = await withDatabaseDown(async () => [
      await authz.authorizeGet(authz.authorizeParams(client), browser.cookie),
      await authz.continueRequest(handle, browser.cookie),
      await logoutEndpoint(new Request(`${ISSUER}/oauth/logout`, { headers: { cookie: browser.cookie } })),
    ]);
    for (const answer of answers) authz.expectErrorPage(answer, 'server_error');
    // Back: the session was not ended, and the pending request resumes.
    authz.expectHandle(await authz.continueRequest(handle, browser.cookie), '/consent');
  });
});
