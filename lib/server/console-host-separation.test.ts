import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedirectServer } from './http-redirect';
import { createRequestHandler } from './request-handler';

const ISSUER = 'https://id.example.com';
const ADMIN_ORIGIN = 'https://admin.id.example.com';

/** One raw HTTP/1.1 request with exactly these header lines; what came back before the close. */
function rawRequest(port: number, target: string, headerLines: string[]): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${target} HTTP/1.1\r\n${headerLines.map((line) => `${line}\r\n`).join('')}Connection: close\r\n\r\n`);
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

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('console on its own hostname: the server keeps each application on its host (ASVS 3.5.4)', () => {
  const servers: http.Server[] = [];
  const reachedNext: string[] = [];
  let port = 0;
  let proxiedPort = 0;
  const handler = (trustProxy: number) =>
    createRequestHandler({
      log: pino({ level: 'silent' }),
      issuer: ISSUER,
      adminOrigin: ADMIN_ORIGIN,
      trustProxy,
      draining: () => false,
      next: async (req, res) => {
        reachedNext.push(`${req.headers.host} ${req.url}`);
        res.end('page');
      },
    });
  beforeAll(async () => {
    servers.push(http.createServer(handler(0)), http.createServer(handler(1)));
    port = await listen(servers[0]!);
    proxiedPort = await listen(servers[1]!);
  });
  afterAll(() => Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))));

  it('answers 404 for the console on the issuer host, before Next.js sees the request', async () => {
    for (const target of ['/admin', '/admin/auth/signin/optare', '/api/admin/console/settings', '/%61dmin', '/ADMIN/users']) {
      reachedNext.length = 0;
      const response = await rawRequest(port, target, ['Host: id.example.com']);
      expect(response.status, target).toBe(404);
      expect(response.body).toBe('Not Found');
      expect(response.head).toContain('x-frame-options: deny');
      expect(reachedNext, target).toEqual([]);
    }
  });

  it('answers 404 on the console host for login pages and the protocol endpoints of the fast path', async () => {
    for (const target of ['/sign-in', '/account', '/oauth/token', '/.well-known/openid-configuration', '/oauth/jwks', '/api/admin/v1/users']) {
      reachedNext.length = 0;
      const response = await rawRequest(port, target, ['Host: admin.id.example.com']);
      expect(response.status, target).toBe(404);
      expect(response.head).not.toContain('application/json');
      expect(reachedNext, target).toEqual([]);
    }
  });

  it('hands the console to Next.js on its host, and sends the host root to it', async () => {
    reachedNext.length = 0;
    const page = await rawRequest(port, '/admin/users', ['Host: Admin.Id.Example.Com:443']);
    expect(page.status).toBe(200);
    expect(reachedNext).toEqual(['Admin.Id.Example.Com:443 /admin/users']);
    const root = await rawRequest(port, '/', ['Host: admin.id.example.com']);
    expect(root.status).toBe(307);
    expect(root.head).toContain('location: /admin');
  });

  it('a spoofed X-Forwarded-Host does not open the console on the issuer host, even behind a trusted proxy', async () => {
    for (const target of [port, proxiedPort]) {
      const response = await rawRequest(target, '/admin', ['Host: id.example.com', 'X-Forwarded-Host: admin.id.example.com']);
      expect(response.status).toBe(404);
    }
  });

  it('a spoofed X-Forwarded-Host does not open the login pages on the console host', async () => {
    const response = await rawRequest(proxiedPort, '/sign-in', ['Host: admin.id.example.com', 'X-Forwarded-Host: id.example.com']);
    expect(response.status).toBe(404);
  });

  it('the plain-HTTP redirect listener sends the console host to the console origin, every other host to the issuer', async () => {
    const redirect = createRedirectServer(ISSUER, ADMIN_ORIGIN);
    servers.push(redirect);
    const redirectPort = await listen(redirect);
    const toConsole = await rawRequest(redirectPort, '/admin/users', ['Host: admin.id.example.com']);
    expect(toConsole.status).toBe(308);
    expect(toConsole.head).toContain('location: https://admin.id.example.com/admin/users');
    const toIssuer = await rawRequest(redirectPort, '/sign-in', ['Host: evil.example']);
    expect(toIssuer.head).toContain('location: https://id.example.com/sign-in');
  });
});
