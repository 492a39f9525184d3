import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { installConfig, loadConfig } from '../../lib/config';
import { RATE_LIMITS } from '../../lib/config/rate-limits';
import { openDatabase, type OpenedDatabase } from '../../lib/db/open';
import { applyOrVerifyMigrations, migrate, readMigrations, verifyMigrationsApplied } from '../../lib/db/migrate';
import { withCliDatabase } from '../../lib/cli/database';
import { authenticate, createUser } from '../../lib/auth/accounts';
import { recordAuditEvent } from '../../lib/audit/record';
import { verifyAuditChain } from '../../lib/audit/verify';
import { ensureSigningKey, forgetCachedSigningKeys } from '../../lib/oauth/keys/signing-keys';
import { ISSUER, newClient, refresh, signIn } from '../integration/token-endpoint.helpers';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { startPrivateCluster, type PrivateCluster } from '../support/private-postgres';

// ASVS 13.2.2: the running server connects as a role with data rights only (CONNECT, USAGE,
// SELECT/INSERT/UPDATE/DELETE: docs/postgres/runtime-role.sql); the schema belongs to another
// role that only `npm run db:migrate` uses. Both authenticate with client certificates.
const PORT = 55151;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const RUNTIME_ROLE_SQL = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/postgres/runtime-role.sql'), 'utf8');

let cluster: PrivateCluster;
let ownerUrl: string;
let appUrl: string;
let dataDir: string;
let database: OpenedDatabase;

function productionEnv(extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'production',
    OPTARE_ISSUER: ISSUER,
    OPTARE_ENCRYPTION_KEY: ENCRYPTION_KEY,
    SMTP_URL: 'smtps://mail.example.test',
    OPTARE_DATA_DIR: dataDir,
    ...Object.fromEntries(Object.values(RATE_LIMITS).map((limit) => [limit.variable, 'off'])),
    ...extra,
  };
}

/** Runs SQL as the runtime role on a connection of its own. */
async function asRuntimeRole(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: appUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  cluster = await startPrivateCluster(PORT);
  for (const sql of ['CREATE ROLE optare_owner LOGIN', 'CREATE ROLE optare_app LOGIN', 'CREATE DATABASE optare OWNER optare_owner']) {
    await cluster.superuser('postgres', sql);
  }
  ownerUrl = cluster.url('optare_owner', 'optare');
  appUrl = cluster.url('optare_app', 'optare');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-least-privilege-'));
  // The grants first, the migrations after: the default privileges must cover tables made later.
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  await owner.query(RUNTIME_ROLE_SQL);
  await owner.end();
  await migrate(ownerUrl);

  const config = loadConfig(productionEnv({ DATABASE_URL: appUrl, OPTARE_MIGRATE_ON_START: 'false' }));
  installConfig(config);
  database = await openDatabase(config, { role: 'server', shareWithOwner: false });
  forgetCachedSigningKeys();
  await ensureSigningKey();
});
afterAll(async () => {
  await database?.close();
  await cluster?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the runtime database role (OPTARE_MIGRATE_ON_START=false)', () => {
  it('has no DDL rights: it can neither create, alter nor drop tables', async () => {
    await expect(asRuntimeRole('CREATE TABLE intruder (id int)')).rejects.toThrow(/permission denied for schema public/);
    await expect(asRuntimeRole('ALTER TABLE users ADD COLUMN intruder int')).rejects.toThrow(/must be owner of table users/);
    await expect(asRuntimeRole('DROP TABLE sessions')).rejects.toThrow(/must be owner of table sessions/);
  });

  it('cannot run the migrations itself, so the server only verifies them at start', async () => {
    await expect(applyOrVerifyMigrations(appUrl, true)).rejects.toThrow(/permission denied/);
    await expect(applyOrVerifyMigrations(appUrl, false)).resolves.toEqual({ applied: [], alreadyApplied: readMigrations().length });
  });

  it('a pending migration stops the start, naming the migrations and `npm run db:migrate`', async () => {
    const probe = { name: '99990101000000_probe', sql: 'CREATE TABLE probe (id int);', checksum: 'a'.repeat(64) };
    await expect(verifyMigrationsApplied(appUrl, [...readMigrations(), probe])).rejects.toThrow(
      /1 database migration\(s\) are not applied \(99990101000000_probe\) and OPTARE_MIGRATE_ON_START is false: run `npm run db:migrate`/,
    );
  });

  it('an edited migration is still refused when only verifying', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m));
    await expect(verifyMigrationsApplied(appUrl, edited)).rejects.toThrow(/was edited after it was applied/);
  });

  it('the CLI follows OPTARE_MIGRATE_ON_START: it runs with false, and fails for want of DDL rights with true', async () => {
    const run = async (migrateOnStart: string) => {
      for (const [name, value] of Object.entries(productionEnv({ DATABASE_URL: appUrl, OPTARE_MIGRATE_ON_START: migrateOnStart }))) {
        vi.stubEnv(name, value);
      }
      try {
        return await withCliDatabase(async () => 'ran');
      } finally {
        vi.unstubAllEnvs();
      }
    };
    await database.close(); // withCliDatabase opens (and closes) the process's database connection itself
    try {
      await expect(run('false')).resolves.toBe('ran');
      await expect(run('true')).rejects.toThrow(/permission denied/);
    } finally {
      // withCliDatabase installed its own config: restore this file's, and its connection.
      const config = loadConfig(productionEnv({ DATABASE_URL: appUrl, OPTARE_MIGRATE_ON_START: 'false' }));
      installConfig(config);
      database = await openDatabase(config, { role: 'server', shareWithOwner: false });
    }
  });

  it('runs sign-up, sign-in, token issuance, refresh-token rotation and the audit append with data rights only', async () => {
    const email = uniqueEmail('least');
    const created = await createUser({ email, password: GOOD_PASSWORD, name: 'Least' }, testContext(), 'sign_up');
    if (!created.ok) throw new Error('sign-up failed');
    expect(await authenticate({ email, password: GOOD_PASSWORD }, testContext())).toMatchObject({ ok: true });

    const client = await newClient();
    const tokens = await signIn(client, created.user);
    expect(tokens).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), refresh_token: expect.any(String) });
    const rotated = await refresh(client, tokens.refresh_token!);
    expect(rotated.status).toBe(200);

    await recordAuditEvent({ type: 'user.disabled', outcome: 'success', subject: email, details: { via: 'admin' }, context: testContext() });
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
    const rows = await cluster.superuser<{ types: string[] }>(
      'optare',
      `SELECT array_agg(DISTINCT type ORDER BY type) AS types FROM audit_events`,
    );
    expect(rows[0]!.types).toEqual(expect.arrayContaining(['auth.sign_in', 'user.created', 'user.disabled']));
  });

  it('audit log tampering by the runtime role: UPDATE, DELETE and TRUNCATE are refused, and it cannot switch the trigger off', async () => {
    await recordAuditEvent({ type: 'user.disabled', outcome: 'success', subject: 'x@example.com', details: {}, context: testContext() });
    await expect(asRuntimeRole(`UPDATE audit_events SET outcome = 'failure'`)).rejects.toThrow(/audit_events is append-only \(UPDATE refused\)/);
    await expect(asRuntimeRole('DELETE FROM audit_events')).rejects.toThrow(/audit_events is append-only \(DELETE refused\)/);
    await expect(asRuntimeRole('TRUNCATE audit_events')).rejects.toThrow(/permission denied for table audit_events/);
    await expect(asRuntimeRole('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only')).rejects.toThrow(
      /must be owner of table audit_events/,
    );
    await expect(asRuntimeRole('DROP TRIGGER audit_events_append_only ON audit_events')).rejects.toThrow(/must be owner of/);
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });
});
