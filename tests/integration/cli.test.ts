import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase } from '../../lib/db/embedded';
import { migrate } from '../../lib/db/migrate';
import { openTestDatabase } from '../support/database';

// The real CLI in a child process. Each run that opens the embedded database itself costs a few
// seconds, so these tests are few. On 'pglite' the test process plays the running server: it owns
// an embedded data directory and the CLI connects through its socket; on 'postgres' the CLI uses
// this file's own PostgreSQL database through DATABASE_URL.
const ROOT = path.resolve(import.meta.dirname, '../..');
const SPAWN_TIMEOUT = 60_000;
const PASSWORD = 'correct horse battery staple 42';

interface Target {
  env: Record<string, string>;
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-cli-test-'));
  tempDirs.push(dir);
  return dir;
}

async function openTarget(): Promise<Target> {
  if (process.env.OPTARE_TEST_DB === 'postgres') {
    const database = await openTestDatabase();
    return { env: { DATABASE_URL: database.url, OPTARE_DATA_DIR: tempDir() }, sql: database.sql, close: database.close };
  }
  const dataDir = tempDir();
  const server = await openEmbeddedDatabase(dataDir, { role: 'server' });
  await migrate(server.url);
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  return {
    env: { DATABASE_URL: '', OPTARE_DATA_DIR: dataDir },
    sql: async (text, values) => (await client.query(text, values)).rows,
    close: async () => {
      await client.end();
      await server.close();
    },
  };
}

/** Runs `node scripts/optare.mjs ...args` with a clean environment (nothing inherited from this run's database). */
function runCli(args: string[], env: Record<string, string>, stdin = '') {
  const base = Object.fromEntries(
    ['PATH', 'HOME', 'TMPDIR'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
  );
  const child = spawn(process.execPath, ['scripts/optare.mjs', ...args], {
    cwd: ROOT,
    env: { ...base, NODE_ENV: 'test', ...env },
  });
  child.stdin.end(stdin);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let target: Target;
beforeAll(async () => {
  target = await openTarget();
}, SPAWN_TIMEOUT);
afterAll(async () => {
  await target?.close();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('optare CLI', () => {
  it(
    'audit verify --json succeeds on a fresh database, opening and migrating it itself',
    async () => {
      const env =
        process.env.OPTARE_TEST_DB === 'postgres' ? target.env : { DATABASE_URL: '', OPTARE_DATA_DIR: tempDir() };
      const result = await runCli(['audit', 'verify', '--json'], env);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ ok: true, events: 0 });
      if (env.DATABASE_URL === '') expect(fs.existsSync(path.join(env.OPTARE_DATA_DIR!, 'optare.lock'))).toBe(false);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'exits 2 with a one-line message on usage errors, before touching the database',
    async () => {
      const dataDir = tempDir();
      const env = { DATABASE_URL: '', OPTARE_DATA_DIR: dataDir };
      const cases = [
        ['user', 'frobnicate'],
        ['user', 'create', '--password', PASSWORD],
        ['user', 'create', '--email', 'ada@example.com', '--bogus'],
        ['user', 'create', '--email', 'ada@example.com', '--password', PASSWORD, '--password-stdin'],
      ];
      const results = await Promise.all(cases.map((args) => runCli(args, env)));
      results.forEach((result, i) => {
        expect(result.code, cases[i]!.join(' ')).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(/^optare: [^\n]+\n$/);
        expect(result.stderr).not.toContain(PASSWORD);
      });
      expect(fs.readdirSync(dataDir)).toEqual([]);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'user create then audit verify is ok; tampering is detected, exits 1 and names the seq',
    async () => {
      const created = await runCli(
        ['user', 'create', '--email', 'Ada@Example.com', '--name', 'Ada', '--password-stdin', '--json'],
        target.env,
        `${PASSWORD}\n`,
      );
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ ok: true, user: { email: 'ada@example.com', name: 'Ada', isAdmin: false } });
      expect(created.stdout + created.stderr).not.toContain(PASSWORD);

      const [event] = await target.sql('SELECT seq, type, user_agent, details::text AS details FROM audit_events');
      expect(event).toMatchObject({ seq: '1', type: 'user.created', user_agent: 'optare-cli' });
      expect(event!.details).not.toContain(PASSWORD);

      const clean = await runCli(['audit', 'verify', '--json'], target.env);
      expect(clean.code, clean.stderr).toBe(0);
      expect(JSON.parse(clean.stdout)).toEqual({ ok: true, events: 1 });

      await target.sql('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await target.sql(`UPDATE audit_events SET details = jsonb_set(details, '{via}', '"sign_up"') WHERE seq = 1`);
      await target.sql('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');

      const tampered = await runCli(['audit', 'verify', '--json'], target.env);
      expect(tampered.code).toBe(1);
      expect(JSON.parse(tampered.stdout)).toMatchObject({ ok: false, firstBroken: { seq: 1, code: 'hash_mismatch' } });
      expect(tampered.stderr).toMatch(/^optare: audit chain broken at seq 1: [^\n]+\n$/);
    },
    SPAWN_TIMEOUT * 2,
  );
});
