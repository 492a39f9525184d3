import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { installConfig, loadConfig } from '../../lib/config';
import { RATE_LIMITS } from '../../lib/config/rate-limits';
import { db } from '../../lib/db/client';
import { openDatabase, type OpenedDatabase } from '../../lib/db/open';
import { readMigrations } from '../../lib/db/migrate';
import { runMigrateCommand } from '../../lib/db/migrate-command';
import { authenticate, createUser } from '../../lib/auth/accounts';
import { GOOD_PASSWORD, testContext, uniqueEmail } from '../support/context';
import { startPrivateCluster, type PrivateCluster } from '../support/private-postgres';

// ASVS 13.2.1: Optare reaches PostgreSQL with a client certificate and no password. The cluster
// accepts TCP connections only with `hostssl … cert`: there is no password to steal or reuse.
const PORT = 55150;

let cluster: PrivateCluster;
let dataDir: string;
beforeAll(async () => {
  cluster = await startPrivateCluster(PORT);
  await cluster.superuser('postgres', 'CREATE ROLE optare_owner LOGIN');
  await cluster.superuser('postgres', 'CREATE DATABASE optare OWNER optare_owner');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'optare-cert-data-'));
});
afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function productionEnv(databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    OPTARE_ISSUER: 'https://id.example.test',
    OPTARE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SMTP_URL: 'smtps://mail.example.test',
    OPTARE_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    ...Object.fromEntries(Object.values(RATE_LIMITS).map((limit) => [limit.variable, 'off'])),
  };
}

describe('PostgreSQL client-certificate authentication (no password)', () => {
  it('the URL Optare is given holds no password: only sslmode=verify-full, the CA, the certificate and its key', () => {
    const url = new URL(cluster.url('optare_owner', 'optare'));
    expect(url.password).toBe('');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      sslmode: 'verify-full',
      sslrootcert: cluster.caFile,
      sslcert: cluster.clientCertificate('optare_owner').certFile,
      sslkey: cluster.clientCertificate('optare_owner').keyFile,
    });
  });

  it('`npm run db:migrate` applies every migration with only the client certificate', async () => {
    for (const [name, value] of Object.entries(productionEnv(cluster.url('optare_owner', 'optare')))) vi.stubEnv(name, value);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await runMigrateCommand()).toBe(0);
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
    const rows = await cluster.superuser<{ name: string }>('optare', 'SELECT name FROM "_optare_migrations" ORDER BY name');
    expect(rows.map((row) => row.name)).toEqual(readMigrations().map((m) => m.name));
  });

  describe('through lib/db with the production configuration', () => {
    let database: OpenedDatabase;
    beforeAll(async () => {
      const config = loadConfig(productionEnv(cluster.url('optare_owner', 'optare')));
      installConfig(config);
      database = await openDatabase(config, { role: 'server', shareWithOwner: false });
    });
    afterAll(() => database?.close());

    it('connects over TLS as the role named by the certificate', async () => {
      const [session] = await db().$queryRaw<Array<{ user: string; ssl: boolean; client_dn: string | null }>>`
        SELECT current_user AS "user", s.ssl, s.client_dn FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()`;
      expect(session).toEqual({ user: 'optare_owner', ssl: true, client_dn: '/CN=optare_owner' });
    });

    it('signs a user up and in', async () => {
      const email = uniqueEmail('cert');
      const created = await createUser({ email, password: GOOD_PASSWORD, name: 'Cert' }, testContext(), 'sign_up');
      expect(created).toMatchObject({ ok: true, user: { email } });
      expect(await authenticate({ email, password: GOOD_PASSWORD }, testContext())).toMatchObject({ ok: true, user: { email } });
    });
  });

  it('stolen database URL without the client certificate: the connection is refused', async () => {
    const client = new pg.Client({ connectionString: cluster.url('optare_owner', 'optare', null) });
    await expect(client.connect()).rejects.toThrow(/connection requires a valid client certificate/);
    await client.end().catch(() => {});
  });

  it('a password instead of the certificate is refused too: the server accepts no password at all', async () => {
    const url = new URL(cluster.url('optare_owner', 'optare', null));
    url.password = 'guessed-password';
    const client = new pg.Client({ connectionString: url.toString() });
    await expect(client.connect()).rejects.toThrow(/connection requires a valid client certificate/);
    await client.end().catch(() => {});
  });

  it("another role's certificate cannot log in as the owner", async () => {
    await cluster.superuser('postgres', 'CREATE ROLE optare_other LOGIN');
    const client = new pg.Client({ connectionString: cluster.url('optare_owner', 'optare', cluster.clientCertificate('optare_other')) });
    await expect(client.connect()).rejects.toThrow(/certificate authentication failed for user "optare_owner"/);
    await client.end().catch(() => {});
  });
});
