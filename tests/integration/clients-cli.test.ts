import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase } from '../../lib/db/embedded';
import { migrate } from '../../lib/db/migrate';
import { openTestDatabase } from '../support/database';

// `npm run optare -- client create` in a real child process, once for a valid and once for an
// invalid client (in parallel: each spawn costs seconds). The command functions themselves are
// tested in-process in clients.test.ts. Same set-up as cli.test.ts: on 'pglite' this process
// plays the running server, on 'postgres' the CLI uses this file's database.
const ROOT = path.resolve(import.meta.dirname, '../..');
const SPAWN_TIMEOUT = 60_000;
// Given, so that two CLI processes never race to generate a development key.
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

let target: { env: Record<string, string>; sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>; close(): Promise<void> };
const tempDirs: string[] = [];

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-client-cli-'));
  tempDirs.push(dataDir);
  if (process.env.OPTARE_TEST_DB === 'postgres') {
    const database = await openTestDatabase();
    target = { env: { DATABASE_URL: database.url, OPTARE_DATA_DIR: dataDir }, sql: database.sql, close: database.close };
    return;
  }
  const server = await openEmbeddedDatabase(dataDir, { role: 'server' });
  await migrate(server.url);
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  target = {
    env: { DATABASE_URL: '', OPTARE_DATA_DIR: dataDir },
    sql: async (text, values) => (await client.query(text, values)).rows,
    close: async () => {
      await client.end();
      await server.close();
    },
  };
}, SPAWN_TIMEOUT);
afterAll(async () => {
  await target?.close();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[]) {
  const base = Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
  const child = spawn(process.execPath, ['scripts/optare.mjs', ...args], { cwd: ROOT, env: { ...base, NODE_ENV: 'test', OPTARE_ENCRYPTION_KEY: ENCRYPTION_KEY, ...target.env } });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('optare client create', () => {
  it(
    'prints the id and the secret once (only its hash is stored); invalid settings exit 1 with the field messages',
    async () => {
      const [created, refused] = await Promise.all([
        runCli(['client', 'create', '--name', 'Spawned', '--redirect-uri', 'https://spawned.example/cb', '--redirect-uri', 'http://localhost:8080/cb', '--json']),
        runCli(['client', 'create', '--name', 'Bad', '--redirect-uri', 'https://bad.example/cb#fragment', '--public', '--no-require-pkce']),
      ]);

      expect(created.code, created.stderr).toBe(0);
      const output = JSON.parse(created.stdout) as { ok: boolean; clientId: string; clientSecret: string; client: { redirectUris: string[] } };
      expect(output).toMatchObject({ ok: true, client: { redirectUris: ['https://spawned.example/cb', 'http://localhost:8080/cb'] } });
      const [row] = await target.sql('SELECT secret_hash, type FROM oauth_clients WHERE id = $1', [output.clientId]);
      expect(row).toMatchObject({ type: 'confidential' });
      expect(Buffer.from(row!.secret_hash as Buffer)).toEqual(createHash('sha256').update(output.clientSecret).digest());
      const [event] = await target.sql('SELECT type, user_agent FROM audit_events WHERE subject = $1', [output.clientId]);
      expect(event).toEqual({ type: 'client.created', user_agent: 'optare-cli' });

      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/^optare: invalid client settings: [^\n]*Redirect URI 1 must not contain a fragment[^\n]*public client must use PKCE[^\n]*\n$/);
    },
    SPAWN_TIMEOUT * 2,
  );
});
