import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestHandler, refuseUnsupportedMethods } from './request-handler';

const ISSUER = 'https://id.example.com';

/** Sends one raw HTTP/1.1 request and returns what came back before the server closed. */
function rawRequest(port: number, method: string, target: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: id.example.com\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head: head.toLowerCase(), body });
    });
  });
}

describe('the last-resort request handler', () => {
  let server: http.Server;
  let port = 0;
  const reachedNext: string[] = [];
  let draining = false;
  beforeAll(async () => {
    server = http.createServer(
      createRequestHandler({
        log: pino({ level: 'silent' }),
        issuer: ISSUER,
        trustProxy: 0,
        draining: () => draining,
        next: async (req, res) => {
          reachedNext.push(`${req.method} ${req.url}`);
          if (req.url === '/throws') throw new Error('a bug');
          res.end('page');
        },
      }),
    );
    refuseUnsupportedMethods(server, ISSUER);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // Next.js's /throws, and the JWKS on the protocol fast path, which throws here: no database is connected.
  it.each(['/throws', '/oauth/jwks'])('answers %s with a 500 that closes the connection once shutdown began, and keeps it before', async (path) => {
    const before = await fetch(`http://127.0.0.1:${port}${path}`);
    expect(before.status).toBe(500);
    expect(before.headers.get('connection')).toBe('keep-alive');
    draining = true;
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(response.status).toBe(500);
      expect(response.headers.get('connection')).toBe('close');
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      draining = false;
    }
  });

  it('answers an unhandled error with 500, text/plain in UTF-8, every security header and no-store', async () => {
    const response = await rawRequest(port, 'GET', '/throws');
    expect(response.status).toBe(500);
    expect(response.body).toBe('Internal Server Error');
    for (const header of [
      'content-type: text/plain; charset=utf-8',
      'x-content-type-options: nosniff',
      'x-frame-options: deny',
      "content-security-policy: default-src 'none'",
      'strict-transport-security: max-age=63072000',
      'referrer-policy: same-origin',
      'cache-control: no-store',
      'x-request-id: ',
    ]) {
      expect(response.head).toContain(header);
    }
  });

  it.each([
    ['TRACE', '/sign-in'],
    ['TRACE', '/api/auth/sign-in'],
    ['TRACE', '/oauth/token'],
    ['TRACK', '/sign-in'],
    ['TRACK', '/oauth/token'],
    ['CONNECT', 'id.example.com:443'],
    ['PROPFIND', '/account'],
    ['FOO', '/'],
  ])('refuses %s %s with 405 and Allow before Next.js or a protocol handler sees it', async (method, target) => {
    const response = await rawRequest(port, method, target);
    expect(response.status).toBe(405);
    expect(response.head).toContain('allow: get, head, post, put, patch, delete, options');
    expect(response.head).toContain('content-type: text/plain; charset=utf-8');
    expect(response.head).toContain('x-content-type-options: nosniff');
    expect(response.body).toBe('Method Not Allowed');
    expect(reachedNext.filter((line) => line.startsWith(`${method} `))).toEqual([]);
  });

  it('still hands served methods to Next.js, and keeps Node’s answers to other malformed requests', async () => {
    expect((await rawRequest(port, 'GET', '/sign-in')).body).toBe('page');
    expect((await rawRequest(port, 'DELETE', '/api/account/sessions/x')).body).toBe('page');
    expect(reachedNext).toEqual(expect.arrayContaining(['GET /sign-in', 'DELETE /api/account/sessions/x']));
    expect((await rawRequest(port, 'GET', '/has space')).status).toBe(400);
  });
});
