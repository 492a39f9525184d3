import net from 'node:net';
import { expect, test } from './pages/fixtures';

/**
 * Methods no route serves are refused by Optare's server before Next.js (ASVS 13.4.4, 4.1.4):
 * TRACE, TRACK, CONNECT and the like get 405 with Allow and every security header, on a page,
 * an API route and a protocol endpoint of the running server.
 */

function rawRequest(baseURL: string, method: string, target: string): Promise<{ status: number; head: string; body: string }> {
  const { hostname, port } = new URL(baseURL);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname === 'localhost' ? '127.0.0.1' : hostname, () => {
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...body] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head: head.toLowerCase(), body: body.join('\r\n\r\n') });
    });
  });
}

for (const [method, target] of [
  ['TRACE', '/sign-in'],
  ['TRACE', '/api/auth/sign-in'],
  ['TRACE', '/oauth/token'],
  ['TRACK', '/sign-in'],
  ['CONNECT', 'localhost:443'],
  ['PROPFIND', '/account'],
]) {
  test(`${method} ${target} is 405 with Allow, before Next.js`, async ({ baseURL }) => {
    const response = await rawRequest(baseURL!, method!, target!);
    expect(response.status).toBe(405);
    expect(response.head).toContain('allow: get, head, post, put, patch, delete, options');
    expect(response.head).toContain('content-type: text/plain; charset=utf-8');
    expect(response.head).toContain('x-content-type-options: nosniff');
    expect(response.head).toContain("content-security-policy: default-src 'none'");
    // Nothing of the request is echoed back (TRACE's purpose, and its risk).
    expect(response.body).toBe('Method Not Allowed');
  });
}
