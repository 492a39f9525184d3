import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger';
import { createRequestHandler } from './request-handler';

/**
 * The per-request log line is written by a logger without the redact list (it has fixed fields,
 * none secret): it must stay exactly those fields, with the path cut before its query.
 */
describe('the request log line', () => {
  const lines: Record<string, unknown>[] = [];
  let server: http.Server;
  let base = '';

  beforeAll(async () => {
    const log = createLogger('info');
    // Optare's logger as configured, writing to memory (a child logger shares its parent's stream).
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = sink;
    server = http.createServer(
      createRequestHandler({
        log,
        issuer: 'https://id.example.com',
        trustProxy: 0,
        draining: () => false,
        next: async (_req, res) => void res.end('page'),
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('has the request id, method, path without the query, status and duration, and nothing of the query', async () => {
    const response = await fetch(`${base}/sign-in?code=SECRET123&state=xyz`, { headers: { authorization: 'Basic c2VjcmV0OnNlY3JldA==' } });
    expect(response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the line is written on 'finish'
    const line = lines.find((entry) => entry.requestId === response.headers.get('x-request-id'));
    expect(line).toBeDefined();
    const { level, time, service, ...fields } = line!;
    expect({ level, service, time: typeof time }).toEqual({ level: 30, service: 'optare', time: 'string' });
    expect(Object.keys(fields).sort()).toEqual(['durationMs', 'method', 'path', 'requestId', 'status']);
    expect(fields).toMatchObject({ method: 'GET', path: '/sign-in', status: 200 });
    expect(JSON.stringify(line)).not.toMatch(/SECRET123|c2VjcmV0/);
  });
});
