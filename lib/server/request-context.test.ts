import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_IP_HEADER, REQUEST_ID_HEADER, stampRequest } from './request-context';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server that stamps each request with `trustProxy` and answers with what it stamped. */
async function stampingServer(trustProxy: number): Promise<string> {
  server = http.createServer((req, res) => {
    const stamped = stampRequest(req, trustProxy);
    res.end(JSON.stringify({ ...stamped, headers: { id: req.headers[REQUEST_ID_HEADER], ip: req.headers[CLIENT_IP_HEADER] } }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Requests sent one after another on one keep-alive connection. */
async function onOneConnection(base: string, headers: Record<string, string>[]): Promise<{ requestId: string; clientIp: string; headers: { id: string; ip: string } }[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const answers = [];
  const sockets = new Set<unknown>();
  for (const sent of headers) {
    answers.push(
      await new Promise<string>((resolve, reject) => {
        const req = http.get(base, { agent, headers: sent }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve(body));
        });
        req.on('socket', (socket) => sockets.add(socket));
        req.on('error', reject);
      }),
    );
  }
  agent.destroy();
  expect(sockets.size).toBe(1);
  return answers.map((answer) => JSON.parse(answer));
}

describe('stampRequest', () => {
  it('without trusted proxies: the peer address on every request of a connection, X-Forwarded-For ignored', async () => {
    const base = await stampingServer(0);
    const answers = await onOneConnection(base, [{}, { 'x-forwarded-for': '203.0.113.9' }, { 'x-optare-client-ip': '203.0.113.9' }]);
    for (const answer of answers) {
      expect(answer.clientIp).toBe('127.0.0.1');
      expect(answer.headers.ip).toBe('127.0.0.1');
      expect(answer.headers.id).toBe(answer.requestId);
    }
    expect(new Set(answers.map((answer) => answer.requestId)).size).toBe(3);
  });

  it('behind one trusted proxy: the address it appended, read afresh on each request of a connection', async () => {
    const base = await stampingServer(1);
    const answers = await onOneConnection(base, [{ 'x-forwarded-for': '198.51.100.7, 203.0.113.9' }, { 'x-forwarded-for': '203.0.113.10' }, {}]);
    expect(answers.map((answer) => answer.clientIp)).toEqual(['203.0.113.9', '203.0.113.10', '127.0.0.1']);
  });
});
