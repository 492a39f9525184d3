import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import pg from 'pg';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export const DEFAULT_MIGRATIONS_DIR = path.resolve(process.cwd(), 'prisma/migrations');
const LOCK_KEY = 7_262_817_364; // pg_advisory_lock key: one migrator at a time across instances

/** The committed migrations, in the order their folder names sort. */
export function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8').replace(/\r\n/g, '\n');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies pending migrations, each in its own transaction, and records name and checksum.
 * Refuses to run when an applied migration was edited or is unknown to this version.
 */
export async function migrate(url: string, migrations: Migration[] = readMigrations()): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_optare_migrations" (
      "name" text PRIMARY KEY,
      "checksum" text NOT NULL,
      "applied_at" timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = await appliedChecksums(client);
    verifyHistory(applied, migrations);
    const done: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.name)) continue;
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query('INSERT INTO "_optare_migrations" ("name", "checksum") VALUES ($1, $2)', [
          migration.name,
          migration.checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${(error as Error).message}`);
      }
      done.push(migration.name);
    }
    return { applied: done, alreadyApplied: migrations.length - done.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

/**
 * For a database migrated by a separate owner role (OPTARE_MIGRATE_ON_START=false): checks,
 * without any DDL, that every migration of this version is applied and none was edited, and
 * refuses to go on otherwise, naming the command that fixes it.
 */
export async function verifyMigrationsApplied(
  url: string,
  migrations: Migration[] = readMigrations(),
): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const applied = await appliedChecksums(client).catch((error: { code?: string }) => {
      if (error.code === '42P01') return new Map<string, string>(); // no _optare_migrations yet: never migrated
      throw error;
    });
    verifyHistory(applied, migrations);
    const pending = migrations.filter((m) => !applied.has(m.name)).map((m) => m.name);
    if (pending.length > 0) {
      throw new MigrationError(
        `${pending.length} database migration(s) are not applied (${pending.join(', ')}) and OPTARE_MIGRATE_ON_START is false: ` +
          'run `npm run db:migrate` with the migration role\'s DATABASE_URL, then start Optare again.',
      );
    }
    return { applied: [], alreadyApplied: migrations.length };
  } finally {
    await client.end();
  }
}

/** At start: applies pending migrations, or (`apply` false: OPTARE_MIGRATE_ON_START=false) only verifies them. */
export function applyOrVerifyMigrations(url: string, apply: boolean, migrations: Migration[] = readMigrations()): Promise<MigrateResult> {
  return apply ? migrate(url, migrations) : verifyMigrationsApplied(url, migrations);
}

async function appliedChecksums(client: pg.Client): Promise<Map<string, string>> {
  const result = await client.query<{ name: string; checksum: string }>(
    'SELECT "name", "checksum" FROM "_optare_migrations" ORDER BY "name"',
  );
  return new Map(result.rows.map((row) => [row.name, row.checksum]));
}

function verifyHistory(applied: Map<string, string>, migrations: Migration[]): void {
  const known = new Map(migrations.map((m) => [m.name, m]));
  for (const [name, checksum] of applied) {
    const migration = known.get(name);
    if (!migration) {
      throw new MigrationError(
        `The database has migration ${name}, which this version of Optare does not have. ` +
          'It was migrated by a newer version: run that version, or restore a matching backup.',
      );
    }
    if (migration.checksum !== checksum) {
      throw new MigrationError(
        `Migration ${name} was edited after it was applied (recorded checksum ${checksum.slice(0, 12)}…, ` +
          `file now ${migration.checksum.slice(0, 12)}…). Applied migrations are immutable: restore the file ` +
          'and put the change in a new migration (npm run db:migration -- <name>).',
      );
    }
  }
}
