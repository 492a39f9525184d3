import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeKey } from '../../lib/config/encryption-key';
import { decrypt, keyId } from '../../lib/crypto/encryption';
import { openEmbeddedDatabase } from '../../lib/db/embedded';
import { migrate } from '../../lib/db/migrate';
import { sealingContext } from '../../lib/oauth/keys/signing-keys';
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

function runCli(args: string[], extraEnv: Record<string, string> = {}) {
  const base = Object.fromEntries(
    ['PATH', 'HOME', 'TMPDIR'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
  );
  const child = spawn(process.execPath, ['scripts/optare.mjs', ...args], { cwd: ROOT, env: { ...base, NODE_ENV: 'test', ...env, ...extraEnv } });
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

describe('optare keys reencrypt', () => {
  it(
    'is listed in --help, refuses a bad --batch-size, and re-seals the keys sealed under the old encryption key, once',
    async () => {
      const help = await runCli(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^ {2}keys reencrypt +Re-encrypt values sealed under an old encryption key/m);
      for (const size of ['0', '1.5', 'ten', '100001']) {
        const refused = await runCli(['keys', 'reencrypt', '--batch-size', size]);
        expect(refused.code, size).toBe(2);
        expect(refused.stderr).toContain('--batch-size must be a whole number from 1 to 10000');
      }

      // The earlier tests' keys are sealed under the key the CLI generated in the data directory.
      const generatedFile = path.join(dataDir, 'encryption.key');
      const generated = fs.existsSync(generatedFile) ? [decodeKey(fs.readFileSync(generatedFile, 'utf8'))!] : [];
      const keyA = randomBytes(32);
      const keyB = randomBytes(32);
      const underA = { OPTARE_ENCRYPTION_KEY: keyA.toString('base64') };
      const underB = { OPTARE_ENCRYPTION_KEY: keyB.toString('base64'), OPTARE_ENCRYPTION_KEYS_OLD: [keyA, ...generated].map((key) => key.toString('hex')).join(',') };
      expect((await runCli(['keys', 'rotate', '--alg', 'PS256'], underA)).code).toBe(0);
      const rows = async () =>
        (await sql('SELECT kid, private_key_encrypted FROM signing_keys ORDER BY kid')) as { kid: string; private_key_encrypted: string }[];
      const before = await rows();
      expect(before.filter((row) => row.private_key_encrypted.split('.')[1] === keyId(keyA))).toHaveLength(1);

      const first = await runCli(['keys', 'reencrypt', '--batch-size', '1', '--json'], underB);
      expect(first.code, first.stderr).toBe(0);
      const counts = { found: before.length, reencrypted: before.length, changedMeanwhile: 0, unreadable: 0 };
      expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, keyId: keyId(keyB), tables: { signing_keys: counts } });

      const after = await rows();
      expect(after.map((row) => row.kid)).toEqual(before.map((row) => row.kid));
      for (const [index, row] of after.entries()) {
        expect(row.private_key_encrypted.split('.')[1]).toBe(keyId(keyB));
        const opened = decrypt(row.private_key_encrypted, { current: keyB, old: [] }, sealingContext(row.kid));
        const original = decrypt(before[index]!.private_key_encrypted, { current: keyB, old: [keyA, ...generated] }, sealingContext(row.kid));
        expect(opened.equals(original)).toBe(true);
      }

      const second = await runCli(['keys', 'reencrypt'], underB);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain('signing_keys: 0 re-encrypted');
      for (const row of after) expect(second.stdout).not.toContain(row.private_key_encrypted.split('.')[3]);
      const events = await sql("SELECT user_agent, details FROM audit_events WHERE type = 'encryption.reencrypted' ORDER BY seq");
      expect(events).toHaveLength(2);
      expect(events[0]).toMatchObject({ user_agent: 'optare-cli', details: { keyId: keyId(keyB), signingKeysReencrypted: before.length } });
      expect(events[1]).toMatchObject({ details: { signingKeysReencrypted: 0 } });
    },
    SPAWN_TIMEOUT * 5,
  );
});
