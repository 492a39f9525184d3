import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { installLogger } from '../log/logger';
import { DATABASE_UNAVAILABLE_MESSAGE, jsonRoute, protocolJsonRoute } from './json-route';
import { ProtocolResponse } from './protocol-message';

/** Captures what the wrapper logs, one parsed record per line. */
function captureLogs(): Array<Record<string, unknown>> {
  const records: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  installLogger(pino({ level: 'info' }, sink));
  return records;
}

afterEach(() => installLogger(pino({ level: 'silent' })));

const request = () =>
  new Request('http://localhost:3000/api/auth/sign-in?email=ada%40example.com', {
    method: 'POST',
    headers: { 'x-request-id': 'req-1', cookie: 'optare_session=secret-session-token' },
    body: JSON.stringify({ email: 'ada@example.com', password: 'hunter2-hunter2' }),
  });

/** What pg throws when the server refuses the connection. */
function connectionRefused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

describe('jsonRoute', () => {
  it('passes the handler’s own answers through untouched', async () => {
    const route = jsonRoute(async (incoming: Request) => Response.json({ path: new URL(incoming.url).pathname }, { status: 201 }));
    const response = await route(request());
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ path: '/api/auth/sign-in' });
  });

  it('answers an unreachable database (also as a Prisma error’s cause) with 503 service_unavailable and Retry-After', async () => {
    const logs = captureLogs();
    const prismaLike = Object.assign(new Error('Invalid `prisma.user.findUnique()` invocation'), { cause: connectionRefused() });
    for (const thrown of [connectionRefused(), prismaLike]) {
      const response = await jsonRoute(async () => Promise.reject(thrown))(request());
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ error: 'service_unavailable', message: DATABASE_UNAVAILABLE_MESSAGE });
    }
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatchObject({ level: 40, requestId: 'req-1', path: '/api/auth/sign-in' });
  });

  it('answers anything else with 500 server_error, the cause logged but never sent, and no request secrets logged', async () => {
    const logs = captureLogs();
    const response = await jsonRoute(async () => {
      throw new TypeError('Cannot read properties of undefined (reading "id") at lib/internal.ts:42');
    })(request());
    expect(response.status).toBe(500);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('retry-after')).toBeNull();
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'server_error', message: expect.stringMatching(/\S/) });
    expect(text).not.toMatch(/reading|internal\.ts|TypeError/);

    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 50, requestId: 'req-1', path: '/api/auth/sign-in', err: { type: 'TypeError' } });
    const logged = JSON.stringify(logs);
    expect(logged).not.toMatch(/hunter2|secret-session-token|ada%40example|ada@example/);
  });
});

describe('protocolJsonRoute (the JSON endpoints Optare’s server answers before Next.js)', () => {
  it('passes the handler’s answer through, cookies included', async () => {
    const answer = ProtocolResponse.json({ redirectTo: '/' }, 200, { 'cache-control': 'no-store' });
    answer.setCookies.push('a=1; Path=/');
    expect(await protocolJsonRoute(async () => answer)(request())).toBe(answer);
  });

  it('gives the same failure answers as jsonRoute: 503 for an unreachable database, 500 otherwise, nothing leaked', async () => {
    const logs = captureLogs();
    const unavailable = await protocolJsonRoute(async () => Promise.reject(connectionRefused()))(request());
    expect(unavailable).toBeInstanceOf(ProtocolResponse);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headerFields).toMatchObject({ 'retry-after': '5', 'cache-control': 'no-store' });
    expect(await unavailable.json()).toEqual({ error: 'service_unavailable', message: DATABASE_UNAVAILABLE_MESSAGE });

    const failed = await protocolJsonRoute(async () => {
      throw new TypeError('Cannot read properties of undefined (reading "id")');
    })(request());
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'server_error', message: expect.stringMatching(/\S/) });
    expect(failed.body).not.toMatch(/reading|TypeError/);
    expect(logs.map((record) => record.level)).toEqual([40, 50]);
    expect(JSON.stringify(logs)).not.toMatch(/hunter2|secret-session-token/);
  });
});
