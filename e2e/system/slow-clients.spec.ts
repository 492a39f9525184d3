import net from 'node:net';
import { expect, test } from '@playwright/test';
import { killAll, removeTempDirs, startServer, type OptareServer } from './server';
import { IDLE_AFTER_ONE_REQUEST, slowClient, TRICKLED_BODY, TRICKLED_HEADERS, type SlowClientOutcome } from '../../tests/support/slow-client';

/**
 * Clients that hold a connection without finishing a request (slowloris and its kin) against one
 * plain-HTTP server, all at once: each is answered 408 and cut off at the documented limit
 * (README, "Timeouts and retries"), and the server goes on answering everyone else.
 */
test.describe.configure({ mode: 'serial' });

let server: OptareServer;
let outcomes: { headers: SlowClientOutcome; body: SlowClientOutcome; idle: SlowClientOutcome };

test.beforeAll(async () => {
  test.setTimeout(150_000);
  server = await startServer({ env: { OPTARE_HTTP_KEEP_ALIVE_TIMEOUT: '7s' } });
  const connect = () => net.connect(server.port, '127.0.0.1');
  const [headers, body, idle] = await Promise.all([
    slowClient(connect(), ...TRICKLED_HEADERS),
    slowClient(connect(), ...TRICKLED_BODY),
    slowClient(connect(), IDLE_AFTER_ONE_REQUEST),
    // Meanwhile, everyone else is served.
    (async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    })(),
  ]);
  outcomes = { headers, body, idle };
});

test.afterAll(async () => {
  await killAll();
  removeTempDirs();
});

test('a client that trickles its headers gets 408 and loses the connection after 10 s, not 30 or 40', () => {
  expect(outcomes.headers.statusLine).toBe('HTTP/1.1 408 Request Timeout');
  expect(outcomes.headers.closedAfterMs).toBeGreaterThan(9_500);
  expect(outcomes.headers.closedAfterMs).toBeLessThan(13_000);
});

test('a client that trickles its body gets 408 and loses the connection after 30 s', () => {
  expect(outcomes.body.statusLine).toBe('HTTP/1.1 408 Request Timeout');
  expect(outcomes.body.closedAfterMs).toBeGreaterThan(29_500);
  expect(outcomes.body.closedAfterMs).toBeLessThan(33_000);
});

test('an idle keep-alive connection is closed OPTARE_HTTP_KEEP_ALIVE_TIMEOUT (here 7 s) after its last answer', () => {
  expect(outcomes.idle.statusLine).toBe('HTTP/1.1 200 OK');
  expect(outcomes.idle.closedAfterMs).toBeGreaterThan(6_500);
  expect(outcomes.idle.closedAfterMs).toBeLessThan(9_500);
});
