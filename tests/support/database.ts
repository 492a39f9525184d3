import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { connectDatabase, disconnectDatabase } from '../../lib/db/client';
import { openServedPGlite } from './pglite';

export interface TestDatabase {
  /** postgresql:// URL of this test file's own database. */
  url: string;
  /** Runs raw SQL as the database owner (to tamper with rows, inspect state). */
  sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file, connected as Optare's database (lib/db/client).
 * Call in beforeAll and close in afterAll.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const kind = process.env.OPTARE_TEST_DB;
  const fresh = kind === 'postgres' ? await freshPostgres() : await freshPglite();
  const client = new pg.Client({ connectionString: fresh.url });
  await client.connect();
  connectDatabase(fresh.url, kind === 'postgres' ? 5 : 1, { preparedStatements: kind === 'postgres' });
  return {
    url: fresh.url,
    sql: async (text, values) => (await client.query(text, values as unknown[])).rows,
    close: async () => {
      await disconnectDatabase();
      await client.end();
      await fresh.close();
    },
  };
}

async function freshPglite() {
  const dump = fs.readFileSync(inject('pgliteDump'));
  return openServedPGlite(new PGlite({ loadDataDir: new Blob([dump]) }));
}

async function freshPostgres() {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL must be set for the postgres test project');
  const name = `optare_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject('postgresTemplate')}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    close: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}
