import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase } from '../../lib/db/embedded';
import { migrate } from '../../lib/db/migrate';
import { openTestDatabase } from '../support/database';

// `keys rotate` through the real CLI in a child process, as an operator runs it. On 'pglite' this
// process plays the running server (the CLI connects through its socket); on 'postgres' the CLI
// uses this file's own database.
const ROOT = path.resolve(import.meta.dirname, '../..');
const SPAWN_TIMEOUT = 60_000;

let dataDir: string;
let env: Record<string, string>;
let sql: (text: string, values?: unknown[]) => Promise<Record<string, unknown>[]>;
let close: () => Promise<void>;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-keys-cli-'));
  if (process.env.OPTARE_TEST_DB === 'postgres') {
    const database = await openTestDatabase();
    env = { DATABASE_URL: database.url, OPTARE_DATA_DIR: dataDir };
    ({ sql, close } = database);
    return;
  }
  const server = await openEmbeddedDatabase(dataDir, { role: 'server' });
  await migrate(server.url);
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  env = { DATABASE_URL: '', OPTARE_DATA_DIR: dataDir };
  sql = async (text, values) => (await client.query(text, values)).rows;
  close = async () => {
    await client.end();
    await server.close();
  };
}, SPAWN_TIMEOUT);
afterAll(async () => {
  await close?.();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function runCli(args: string[]) {
  const base = Object.fromEntries(
    ['PATH', 'HOME', 'TMPDIR'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
  );
  const child = spawn(process.execPath, ['scripts/optare.mjs', ...args], { cwd: ROOT, env: { ...base, NODE_ENV: 'test', ...env } });
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

describe('optare keys rotate', () => {
  it(
    'creates a new active key each time, retires the previous one and audits it',
    async () => {
      const first = await runCli(['keys', 'rotate', '--json']);
      expect(first.code, first.stderr).toBe(0);
      const one = JSON.parse(first.stdout);
      expect(one).toEqual({ ok: true, kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), retiredKid: null, rotated: [{ alg: 'RS256', kid: one.kid, retiredKid: null }] });

      const second = await runCli(['keys', 'rotate']);
      expect(second.code, second.stderr).toBe(0);
      const [row] = await sql('SELECT kid FROM signing_keys WHERE retired_at IS NULL');
      expect(second.stdout).toBe(`New RS256 signing key ${row!.kid} is active; retired ${one.kid}\n`);

      const rows = await sql('SELECT kid, retired_at, publish_until FROM signing_keys ORDER BY created_at');
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ kid: one.kid, retired_at: expect.any(Date), publish_until: expect.any(Date) });
      expect(rows[1]).toMatchObject({ kid: row!.kid, retired_at: null });

      const events = await sql("SELECT subject, user_agent, details FROM audit_events WHERE type = 'key.rotated' ORDER BY seq");
      expect(events).toEqual([
        { subject: one.kid, user_agent: 'optare-cli', details: { kid: one.kid, alg: 'RS256', retiredKid: null, reason: 'manual' } },
        { subject: row!.kid, user_agent: 'optare-cli', details: { kid: row!.kid, alg: 'RS256', retiredKid: one.kid, reason: 'manual' } },
      ]);
    },
    SPAWN_TIMEOUT * 2,
  );

  it(
    'with --alg rotates only that algorithm, and refuses an unknown one, changing nothing',
    async () => {
      const before = await sql("SELECT kid, alg FROM signing_keys WHERE retired_at IS NULL AND alg = 'RS256'");
      const es = await runCli(['keys', 'rotate', '--alg', 'ES256', '--json']);
      expect(es.code, es.stderr).toBe(0);
      const first = JSON.parse(es.stdout);
      expect(first.rotated).toEqual([{ alg: 'ES256', kid: first.kid, retiredKid: null }]);
      const again = JSON.parse((await runCli(['keys', 'rotate', '--alg', 'ES256', '--json'])).stdout);
      expect(again.rotated).toEqual([{ alg: 'ES256', kid: again.kid, retiredKid: first.kid }]);
      const active = await sql('SELECT kid, alg, public_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY alg');
      expect(active.map((row) => [row.alg, row.kid])).toEqual([...before.map((row) => ['RS256', row.kid]), ['ES256', again.kid]].sort());
      expect(active.find((row) => row.alg === 'ES256')!.public_jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });

      for (const alg of ['HS256', 'none', 'RS512']) {
        const refused = await runCli(['keys', 'rotate', '--alg', alg]);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain('--alg must be one of RS256, PS256, ES256, EdDSA');
      }
      expect(await sql('SELECT kid FROM signing_keys')).toHaveLength(4);
    },
    SPAWN_TIMEOUT * 5,
  );
});
