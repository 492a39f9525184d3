import net from 'node:net';
import { expect, test } from '@playwright/test';
import { SignInPage } from '../pages/sign-in-page';
import { freshPostgresDatabase, jsonLines, killAll, newAccount, removeTempDirs, run, signIn, signUp, startServer, type OptareServer } from './server';

/**
 * A real Optare process whose only path to PostgreSQL runs through a TCP proxy inside the test.
 * Cutting the proxy (every connection dropped at once, new ones refused, as when the database
 * server stops) must give clear 503 JSON answers, never a 500 and never a hang; a request that
 * failed must have written nothing; and when the proxy is back the same process must recover by
 * itself. Needs a PostgreSQL server (E2E_DATABASE_URL): the postgres project only.
 */

const serverUrl = process.env.E2E_DATABASE_URL;
const REQUEST_TIMEOUT_MS = 10_000;
const DATABASE_UNAVAILABLE = { error: 'service_unavailable', message: 'Optare cannot reach its database right now. Try again in a moment.' };

/** Ports 3240-3259 are this spec's (server.ts hands out 3200-3239, own-ports.ts 3260-3299). */
let portCounter = 0;
async function faultPort(): Promise<number> {
  const base = 3240 + (test.info().parallelIndex % 2) * 10;
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = base + (portCounter++ % 10);
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${base}..${base + 9}`);
}

/** A TCP proxy from 127.0.0.1:`port` to the database server that the test can cut and restore. */
class DatabaseLink {
  private listener: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  /** Connections accepted since the last `open()`. */
  accepted = 0;

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async open(): Promise<void> {
    this.accepted = 0;
    const listener = net.createServer((client) => {
      this.accepted++;
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
        socket.on('error', () => undefined); // a reset of either side closes both (above)
      }
      client.on('data', (chunk: Buffer) => {
        upstream.write(chunk);
        const trigger = this.trigger;
        if (trigger && trigger.pattern.test(chunk.toString('latin1'))) {
          this.trigger = null;
          // Let PostgreSQL receive the statement, then drop the link while its transaction is open.
          setImmediate(() => void this.cut().then(trigger.done));
        }
      });
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.listener = listener;
  }

  private trigger: { pattern: RegExp; done: () => void } | null = null;

  /** Cuts the link right after a statement matching `pattern` went through it; resolves once cut. */
  cutAfter(pattern: RegExp): Promise<void> {
    return new Promise((resolve) => (this.trigger = { pattern, done: resolve }));
  }

  /** The outage: every open connection is dropped at once and new ones are refused (ECONNREFUSED). */
  async cut(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    const closed = new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  get openConnections(): number {
    return this.sockets.size;
  }
}

interface Answer {
  status: number;
  retryAfter: string | null;
  contentType: string;
  body: Record<string, unknown>;
  ms: number;
}

/** A request that must be answered within REQUEST_TIMEOUT_MS (a hang fails the test), read as JSON. */
async function answered(url: string, init: RequestInit): Promise<Answer> {
  const started = Date.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), contentType: response.headers.get('content-type') ?? '', body, ms: Date.now() - started };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

test.describe('a database outage seen by a running Optare @postgres-only', () => {
  test.setTimeout(240_000);

  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let link: DatabaseLink;
  let server: OptareServer;
  /** For the CLI: the real database, not the proxy. */
  let cliEnv: Record<string, string | undefined>;

  test.beforeAll(async () => {
    if (!serverUrl) throw new Error('E2E_DATABASE_URL (a PostgreSQL server) is needed: run `npm test` with TEST_DATABASE_URL set');
    database = await freshPostgresDatabase(serverUrl);
    const direct = new URL(database.url);
    link = new DatabaseLink(await faultPort(), { host: direct.hostname, port: Number(direct.port || 5432) });
    await link.open();
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(link.port);
    // No Redis: the rate-limit counters live in the same PostgreSQL, so they go down with it too.
    server = await startServer({ port: await faultPort(), env: { DATABASE_URL: proxied.toString(), REDIS_URL: undefined } });
    cliEnv = { DATABASE_URL: database.url, OPTARE_DATA_DIR: server.dataDir, REDIS_URL: undefined };
  });

  test.afterAll(async () => {
    await killAll();
    await link?.cut();
    await database?.drop();
    removeTempDirs();
  });

  test('answers 503 JSON while the database is cut off, writes nothing half-way, and recovers by itself', async ({ page }) => {
    const account = newAccount('fault');
    const cli = async (name: string) => {
      const created = await run(
        ['scripts/optare.mjs', 'client', 'create', '--name', name, '--redirect-uri', 'https://app.example/cb', '--grant', 'client_credentials', '--scope', 'profile', '--json'],
        cliEnv,
      );
      expect(created.code, created.stderr).toBe(0);
      const { clientId, clientSecret } = JSON.parse(created.stdout.trim()) as { clientId: string; clientSecret: string };
      return { clientId, clientSecret };
    };
    const tokenFor = ({ clientId, clientSecret }: { clientId: string; clientSecret: string }) =>
      answered(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, clientSecret) },
        body: 'grant_type=client_credentials&scope=profile',
      });
    const json = (path: string, body: unknown) =>
      answered(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const service = await cli('Fault test service');
    // Created now, first used during the outage: its lookup cannot come from the client cache.
    const unseen = await cli('Fault test unseen');
    const signInPage = new SignInPage(page);

    await test.step('through the proxy, everything works', async () => {
      expect((await signUp(server.url, account)).status).toBe(201);
      expect((await signIn(server.url, account)).status).toBe(200);
      const issued = await tokenFor(service);
      expect(issued.status).toBe(200);
      expect(issued.body).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
      expect(link.openConnections).toBeGreaterThan(0);
      // The sign-in page is open in a browser before the outage begins.
      await page.goto(`${server.url}/sign-in`);
      await expect(signInPage.submitButton).toBeEnabled();
    });

    const newcomer = newAccount('newcomer');
    const inFlight = Array.from({ length: 4 }, (_, i) => newAccount(`in-flight-${i}`));

    await test.step('cut mid-transaction: the sign-ups in flight fail with 503 and leave no trace', async () => {
      // The link drops just after the first sign-up's INSERT reached PostgreSQL, inside the
      // transaction that also writes its audit event; the others are still hashing or waiting.
      const cut = link.cutAfter(/INSERT INTO "(public"\.")?users"/);
      const answers = await Promise.all(inFlight.map((candidate) => json('/api/auth/sign-up', candidate)));
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.body).toEqual(DATABASE_UNAVAILABLE);
      }
      await cut;
      // Read directly, not through the proxy: only the account made before the outage exists,
      // and only its audit event.
      const users = await database.sql.query<{ email: string }>('SELECT email FROM users');
      expect(users.rows.map((row) => row.email)).toEqual([account.email]);
      const created = await database.sql.query("SELECT 1 FROM audit_events WHERE type = 'user.created'");
      expect(created.rowCount).toBe(1);
    });

    await test.step('while cut off: 503 JSON with Retry-After, promptly, from the protocol and the JSON API', async () => {
      const token = await tokenFor(unseen);
      expect(token.status).toBe(503);
      expect(token.body).toMatchObject({ error: 'temporarily_unavailable' });
      expect(token.retryAfter).toBe('5');

      const attemptedSignUp = await json('/api/auth/sign-up', newcomer);
      const attemptedSignIn = await json('/api/auth/sign-in', { email: account.email, password: account.password });
      for (const answer of [attemptedSignUp, attemptedSignIn]) {
        expect(answer.status).toBe(503);
        expect(answer.retryAfter).toBe('5');
        expect(answer.contentType).toMatch(/^application\/json/);
        expect(answer.body).toEqual(DATABASE_UNAVAILABLE);
      }
      for (const answer of [token, attemptedSignUp, attemptedSignIn]) expect(answer.ms).toBeLessThan(5_000);

      // The failed sign-up wrote nothing.
      const rows = await database.sql.query('SELECT 1 FROM users WHERE email = $1', [newcomer.email]);
      expect(rows.rowCount).toBe(0);
      expect(server.child.exitCode).toBeNull();
    });

    await test.step('the sign-in page shows the message', async () => {
      await signInPage.fill(account);
      expect(await signInPage.submitAndWaitForResponse()).toBe(503);
      await expect(signInPage.formAlert).toHaveText(DATABASE_UNAVAILABLE.message);
      await signInPage.expectStillHere();
    });

    await test.step('when the database is back, the same process recovers by itself within seconds', async () => {
      await link.open();
      const restoredAt = Date.now();
      await expect
        .poll(async () => (await signIn(server.url, account)).status, { timeout: 10_000, intervals: [100, 250, 500] })
        .toBe(200);
      expect(Date.now() - restoredAt).toBeLessThan(10_000);
      expect(link.accepted).toBeGreaterThan(0);

      // The sign-ups that failed created nothing: the same emails sign up now.
      for (const candidate of [newcomer, inFlight[0]!]) expect((await json('/api/auth/sign-up', candidate)).status).toBe(201);
      expect((await tokenFor(unseen)).status).toBe(200);
      await expect(signInPage.submitButton).toBeEnabled();
      await Promise.all([page.waitForURL(`${server.url}/`), signInPage.submit()]);
    });

    await test.step('no request was answered with a 500, and the audit chain verifies', async () => {
      const statuses = jsonLines(server.stdout()).filter((line) => typeof line.status === 'number' && typeof line.path === 'string');
      expect(statuses.filter((line) => (line.status as number) >= 500 && line.status !== 503)).toEqual([]);
      expect(statuses.filter((line) => line.status === 503).map((line) => line.path)).toEqual(
        expect.arrayContaining(['/oauth/token', '/api/auth/sign-up', '/api/auth/sign-in']),
      );
      const verified = await run(['scripts/optare.mjs', 'audit', 'verify', '--json'], cliEnv);
      expect(verified.code, verified.stderr).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true });
      expect(server.child.exitCode).toBeNull();
    });
  });
});
