import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncLocalStorageUsesHooks, gateAsyncContexts, type AsyncContextGate } from './async-context-gate';

const IDLE_MS = 50;

/** With promise hooks on, a promise reaction runs under its promise's own async id; off, under 0. */
function hooksOn(): Promise<boolean> {
  return Promise.resolve().then(() => executionAsyncId() !== 0);
}

/** Long enough for the gate's idle timer and the microtask that stops the promise hooks. */
const pastIdle = () => sleep(IDLE_MS * 3);

describe('Next.js request contexts switched off while Next.js serves nothing (lib/server/async-context-gate.ts)', () => {
  const pageContext = new AsyncLocalStorage<{ path: string }>();
  let gate: AsyncContextGate;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    if (!asyncLocalStorageUsesHooks(process.versions.node, process.execArgv)) {
      throw new Error(`This test needs AsyncLocalStorage on async hooks (Node.js before 24); this is Node.js ${process.versions.node}.`);
    }
    gate = gateAsyncContexts(IDLE_MS)!;
    // A stand-in for Next.js's handler, with its own request context read after an await.
    const handle = gate.track(async (req, res) => {
      await pageContext.run({ path: req.url! }, async () => {
        await sleep(5);
        if (req.url === '/held') {
          // The handler returns now; the response ends later, from a timer of this request.
          res.writeHead(200);
          res.write('held…');
          setTimeout(() => res.end(JSON.stringify(pageContext.getStore() ?? null)), IDLE_MS * 4);
          return;
        }
        res.end(JSON.stringify(pageContext.getStore() ?? null));
      });
    });
    server = http.createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    gate?.uninstall();
    pageContext.disable();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('starts with the hooks off (else nothing below could be told apart)', async () => {
    await pastIdle();
    expect(await hooksOn()).toBe(false);
  });

  it("keeps a request's context through its awaits, then turns the hooks off once no request has been in flight for the idle time", async () => {
    expect(await (await fetch(`${base}/first`)).json()).toEqual({ path: '/first' });
    expect(await hooksOn()).toBe(true);
    await pastIdle();
    expect(await hooksOn()).toBe(false);
  });

  it('enables the context again for the next request', async () => {
    expect(await (await fetch(`${base}/second`)).json()).toEqual({ path: '/second' });
    await pastIdle();
    expect(await hooksOn()).toBe(false);
  });

  it('keeps the hooks on while a response is still open, however long ago its handler returned', async () => {
    const response = await fetch(`${base}/held`);
    await sleep(IDLE_MS * 2);
    expect(await hooksOn()).toBe(true);
    expect(await response.text()).toBe('held…{"path":"/held"}');
    await pastIdle();
    expect(await hooksOn()).toBe(false);
  });

  it('leaves alone a context entered outside Next.js requests', async () => {
    const own = new AsyncLocalStorage<string>();
    await own.run('kept', async () => {
      expect(await (await fetch(`${base}/third`)).json()).toEqual({ path: '/third' });
      await pastIdle();
      expect(own.getStore()).toBe('kept');
      expect(await hooksOn()).toBe(true);
    });
    own.disable();
    await pastIdle();
    expect(await hooksOn()).toBe(false);
  });
});

describe('whether AsyncLocalStorage runs on async hooks', () => {
  it('does before Node.js 24 unless the context frame is asked for, and from 24 on only when it is refused', () => {
    expect(asyncLocalStorageUsesHooks('20.20.2', [])).toBe(true);
    expect(asyncLocalStorageUsesHooks('22.12.0', ['--experimental-async-context-frame'])).toBe(false);
    expect(asyncLocalStorageUsesHooks('24.1.0', [])).toBe(false);
    expect(asyncLocalStorageUsesHooks('24.1.0', ['--no-async-context-frame'])).toBe(true);
  });
});
