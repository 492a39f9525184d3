import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { slowClient, TRICKLED_BODY } from '../../tests/support/slow-client';
import { HTTP_TIMEOUTS, httpTimeoutOptions } from './http-timeouts';

const servers: http.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function listening(options: http.ServerOptions): Promise<number> {
  // Answers once the whole body is in, as Optare's form endpoints do.
  const server = http.createServer(options, (request, response) => request.resume().on('end', () => response.end('ok')));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('HTTP timeouts', () => {
  it('are the documented ones: headers 10 s, a request 30 s, an idle keep-alive 5 s, a TLS handshake 10 s', () => {
    expect(HTTP_TIMEOUTS).toEqual({ headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, tlsHandshakeMs: 10_000 });
    expect(httpTimeoutOptions()).toMatchObject({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 });
    expect(httpTimeoutOptions({ requestMs: 10_000, keepAliveMs: 65_000 })).toMatchObject({ requestTimeout: 10_000, keepAliveTimeout: 65_000 });
  });

  it('cut a slow request off within a second of its limit, not at Node’s 30 s check', async () => {
    const port = await listening({ ...httpTimeoutOptions({ requestMs: 2_000 }), headersTimeout: 2_000 });
    const outcome = await slowClient(net.connect(port, '127.0.0.1'), ...TRICKLED_BODY, 500);
    expect(outcome.statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(outcome.closedAfterMs).toBeGreaterThan(1_900);
    expect(outcome.closedAfterMs).toBeLessThan(4_500); // a second's check, and room for a busy CI machine
  });
});
