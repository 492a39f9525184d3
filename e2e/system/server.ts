import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { test, type Page } from '@playwright/test';
import pg from 'pg';

/**
 * Real Optare processes for system tests: `node scripts/start.mjs` on the existing production
 * build, each on its own port and data directory, always killed when the test ends.
 */

export const ROOT = path.resolve(import.meta.dirname, '../..');
const PORT_BASE = 3200;
const PORTS_PER_WORKER = 20;

/** Settings that must not leak in from the shell running the suite (or from a .env file). */
const PINNED = ['DATABASE_URL', 'OPTARE_ISSUER', 'OPTARE_ENCRYPTION_KEY', 'OPTARE_ENCRYPTION_KEYS_OLD', 'OPTARE_HOST', 'OPTARE_SECURITY_CONTACT'];

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface OptareProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  /** Waits for the exit; SIGKILLs and throws if it takes longer than `ms`. */
  wait(ms?: number): Promise<Exit>;
  /** Sends the signal and waits for the exit; SIGKILLs and throws if it takes longer than `ms`. */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<Exit>;
}

export interface OptareServer extends OptareProcess {
  port: number;
  url: string;
  dataDir: string;
}

const running = new Set<OptareProcess>();

/** Kills every process the current test started and is still running (call in afterEach). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop('SIGKILL').catch(() => undefined)));
}

/**
 * Leaves the page before the test's servers stop: Next.js prefetches the links of a page that
 * stays open, and a prefetch that reaches a stopped server fails as a console error.
 */
export async function leavePage(page: Page): Promise<void> {
  await page.goto('about:blank');
}

let portCounter = 0;

/** A free TCP port in 3200-3299, in a slice of that range owned by this worker. */
export async function freePort(): Promise<number> {
  const slice = test.info().parallelIndex % Math.floor(100 / PORTS_PER_WORKER);
  for (let attempt = 0; attempt < PORTS_PER_WORKER; attempt++) {
    const port = PORT_BASE + slice * PORTS_PER_WORKER + (portCounter++ % PORTS_PER_WORKER);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in ${PORT_BASE + slice * PORTS_PER_WORKER}..+${PORTS_PER_WORKER}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

/** A fresh, empty directory under the OS temp dir; removed by `removeTempDirs`. */
const tempDirs: string[] = [];
export function tempDir(prefix = 'optare-sys-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Spawns a Node script of the repository with a controlled environment. */
export function spawnOptare(args: string[], env: Record<string, string | undefined>, cwd = ROOT): OptareProcess {
  const base: NodeJS.ProcessEnv = { ...process.env };
  // Only the build directory carries over (a developer's own, see next.config.mjs); every other setting is the test's.
  for (const name of Object.keys(base)) if ((name.startsWith('OPTARE_') && name !== 'OPTARE_NEXT_DIST_DIR') || name === 'NODE_ENV') delete base[name];
  for (const name of PINNED) base[name] = '';
  base.OPTARE_SKIP_BUILD = '1';
  base.NEXT_TELEMETRY_DISABLED = '1';
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }

  const child = spawn(process.execPath, args, { cwd, env: base, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  // 'close' comes after 'exit' once the output streams are drained: stdout() then holds every line.
  const closed = new Promise<Exit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));

  const proc: OptareProcess = {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    exited: closed,
    async wait(ms = 30_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
      const result = await Promise.race([closed, timeout]);
      clearTimeout(timer);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        await closed;
        throw new Error(`process ${child.pid} (${args.join(' ')}) did not exit within ${ms} ms\n${err}`);
      }
      return result;
    },
    async stop(signal = 'SIGTERM', ms = 20_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return proc.wait(ms);
    },
  };
  running.add(proc);
  void closed.then(() => running.delete(proc));
  return proc;
}

export interface StartOptions {
  dataDir?: string;
  port?: number;
  env?: Record<string, string | undefined>;
}

/** Starts `node scripts/start.mjs` and resolves once /readyz answers 200. */
export async function startServer(options: StartOptions = {}): Promise<OptareServer> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? tempDir();
  const proc = spawnOptare(['scripts/start.mjs'], {
    PORT: String(port),
    OPTARE_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const url = `http://localhost:${port}`;
  const server: OptareServer = { ...proc, port, url, dataDir };
  const deadline = Date.now() + 90_000;
  let exit: Exit | undefined;
  void proc.exited.then((result) => (exit = result));
  while (Date.now() < deadline) {
    if (exit) {
      throw new Error(`Optare exited (${exit.code ?? exit.signal}) before it was ready:\n${proc.stderr()}\n${proc.stdout()}`);
    }
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await proc.stop('SIGKILL').catch(() => undefined);
  throw new Error(`Optare was not ready on ${url} within 90 s:\n${proc.stderr()}`);
}

/** Runs a command to completion and returns its exit and output. */
export async function run(args: string[], env: Record<string, string | undefined>, ms = 60_000) {
  const proc = spawnOptare(args, env);
  const exit = await proc.wait(ms);
  return { ...exit, stdout: proc.stdout(), stderr: proc.stderr() };
}

export const PASSWORD = 'CorrectHorse-Battery-9';

export function newAccount(label: string) {
  const id = randomUUID().slice(0, 8);
  return { email: `${label}-${id}@example.com`, name: `System ${label}`, password: PASSWORD };
}

/** The API calls of a browser-less client; no Origin header, like curl. */
export async function signUp(baseUrl: string, account: { email: string; name: string; password: string }) {
  return fetch(`${baseUrl}/api/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
}

export async function signIn(baseUrl: string, account: { email: string; password: string }) {
  return fetch(`${baseUrl}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
}

/** A strong key for servers started with NODE_ENV=production. */
export function strongKey(): string {
  return randomBytes(32).toString('base64');
}

/** A fresh database on the PostgreSQL server of `serverUrl`, dropped by `drop()`. */
export async function freshPostgresDatabase(serverUrl: string): Promise<{ url: string; sql: pg.Client; drop(): Promise<void> }> {
  const name = `optare_sys_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const sql = new pg.Client({ connectionString: url.toString() });
  await sql.connect();
  return {
    url: url.toString(),
    sql,
    drop: async () => {
      await sql.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** The lines of a process's output that parse as JSON objects (its log records). */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return lines(text).flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? [value as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

/** The non-empty lines of a process's output that are not JSON objects. */
export function nonJsonLines(text: string): string[] {
  return lines(text).filter((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value !== 'object' || value === null || Array.isArray(value);
    } catch {
      return true;
    }
  });
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}
