import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolResponse, type ProtocolRequest } from '../http/protocol-message';
import { protocolHandler, serveProtocolRequest } from './protocol-fast-path';

describe('protocolHandler', () => {
  it('serves the protocol endpoints for their methods, ignoring the query string', () => {
    expect(protocolHandler('POST', '/oauth/token')).toBeTypeOf('function');
    expect(protocolHandler('OPTIONS', '/oauth/token')).toBeTypeOf('function');
    expect(protocolHandler('GET', '/oauth/userinfo?x=1')).toBeTypeOf('function');
    expect(protocolHandler('GET', '/.well-known/openid-configuration')).toBeTypeOf('function');
    expect(protocolHandler('GET', '/oauth/jwks')).toBeTypeOf('function');
    // The browser-facing ones answer with redirects only, so no page needs Next.js there either.
    expect(protocolHandler('GET', '/oauth/authorize?client_id=x')).toBeTypeOf('function');
    expect(protocolHandler('POST', '/oauth/authorize')).toBeTypeOf('function');
    expect(protocolHandler('GET', '/oauth/authorize/continue?request=x')).toBeTypeOf('function');
    expect(protocolHandler('GET', '/oauth/logout')).toBeTypeOf('function');
    expect(protocolHandler('POST', '/oauth/logout')).toBeTypeOf('function');
    // The sign-in flow's two JSON endpoints: a password sign-in and the consent page's answer.
    expect(protocolHandler('POST', '/api/auth/sign-in')).toBeTypeOf('function');
    expect(protocolHandler('POST', '/consent/decision')).toBeTypeOf('function');
    // The health probes, so that a load balancer's probes never wake Next.js.
    expect(protocolHandler('GET', '/healthz')).toBeTypeOf('function');
    expect(protocolHandler('GET', '/readyz')).toBeTypeOf('function');
  });

  it('leaves everything else to Next.js: other paths, other methods, look-alike paths', () => {
    for (const [method, url] of [
      ['GET', '/oauth/token'],
      ['DELETE', '/oauth/token'],
      ['HEAD', '/oauth/jwks'],
      ['OPTIONS', '/oauth/authorize'],
      ['HEAD', '/oauth/authorize'],
      ['POST', '/oauth/authorize/continue'],
      ['GET', '/oauth/logout/confirm'],
      ['POST', '/oauth/logout/end'],
      ['GET', '/api/auth/sign-in'],
      ['POST', '/api/auth/sign-up'],
      ['POST', '/api/auth/passkey'],
      ['GET', '/consent/decision'],
      ['GET', '/consent'],
      ['HEAD', '/healthz'],
      ['POST', '/readyz'],
      ['POST', '/oauth/token/'],
      ['POST', '/OAUTH/TOKEN'],
      ['GET', '/'],
      ['GET', undefined],
    ] as const) {
      expect(protocolHandler(method, url), `${method} ${url}`).toBeNull();
    }
  });
});

describe('serveProtocolRequest', () => {
  let server: http.Server;
  let base = '';
  let seen: ProtocolRequest | undefined;
  let seenBody = '';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      void serveProtocolRequest(
        async (request) => {
          seen = request;
          seenBody = new TextDecoder().decode(await request.arrayBuffer());
          const response = ProtocolResponse.json({ ok: true }, 201, { 'Cache-Control': 'no-store' });
          if (req.url === '/cookies') response.setCookies.push('a=1; Path=/; HttpOnly', 'b=; Path=/; Max-Age=0');
          return response;
        },
        req,
        res,
        { issuer: 'https://id.example.com', requestId: 'request-1', close: req.url === '/draining' },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('passes method, path, query, headers and body through, and answers with the security headers', async () => {
    const response = await fetch(`${base}/oauth/token?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic abc' },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ ok: true });
    expect(seen!.method).toBe('POST');
    expect(seen!.url).toBe('https://id.example.com/oauth/token?x=1');
    expect(seen!.headers.get('authorization')).toBe('Basic abc');
    expect(seenBody).toBe('grant_type=client_credentials');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-length')).toBe(String('{"ok":true}'.length));
    expect(response.headers.get('x-request-id')).toBe('request-1');
    expect(response.headers.get('connection')).toBe('keep-alive');
  });

  it('closes the connection with its answer once shutdown began', async () => {
    const response = await fetch(`${base}/draining`);
    expect(response.status).toBe(201);
    expect(response.headers.get('connection')).toBe('close');
    expect(response.headers.get('x-request-id')).toBe('request-1');
  });

  it('writes each cookie of the response as its own Set-Cookie header', async () => {
    const response = await fetch(`${base}/cookies`);
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/; HttpOnly', 'b=; Path=/; Max-Age=0']);
    expect((await fetch(`${base}/oauth/token`, { method: 'POST' })).headers.getSetCookie()).toEqual([]);
  });

  it('answers an oversized body in the endpoint\'s error shape: the JSON API\'s for the sign-in flow, OAuth\'s elsewhere', async () => {
    const big = 'x'.repeat(70 * 1024);
    const signIn = await fetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(signIn.status).toBe(413);
    expect(await signIn.json()).toEqual({ error: 'payload_too_large', message: 'The request body exceeds 65536 bytes.' });
    const token = await fetch(`${base}/oauth/token`, { method: 'POST', body: big });
    expect(await token.json()).toEqual({ error: 'invalid_request', error_description: 'The request body exceeds 65536 bytes.' });
  });

  it('refuses a body over 64 kB with 413 before calling the endpoint, declared or streamed', async () => {
    seen = undefined;
    const big = 'x'.repeat(70 * 1024);
    const declared = await fetch(`${base}/oauth/token`, { method: 'POST', body: big });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: 'invalid_request' });
    const streamed = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    // The rest of the body is not read, so the connection cannot carry another request.
    expect(streamed.headers.get('connection')).toBe('close');
    expect(seen).toBeUndefined();
  });
});
