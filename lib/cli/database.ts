import 'server-only';
import { config as loadDotenv } from 'dotenv';
import { installConfig, loadConfig } from '../config';
import { openDatabase } from '../db/open';
import { applyOrVerifyMigrations } from '../db/migrate';

/**
 * Runs `work` connected to Optare's database: PostgreSQL when DATABASE_URL is set; otherwise the
 * embedded database, through the running server's socket when it has one (the server already
 * migrated it), or opened and migrated by this process (with OPTARE_MIGRATE_ON_START=false,
 * PostgreSQL's migrations are only checked). Always closed afterwards.
 */
export async function withCliDatabase<T>(work: () => Promise<T>): Promise<T> {
  loadDotenv({ quiet: true }); // never overrides variables already set
  const config = loadConfig(process.env, {
    onGeneratedKey: (file) => process.stderr.write(`optare: generated a development encryption key in ${file}\n`),
  });
  installConfig(config);
  const database = await openDatabase(config, { role: 'cli', shareWithOwner: true });
  try {
    if (!database.shared) await applyOrVerifyMigrations(database.url, config.database.kind !== 'postgres' || config.database.migrateOnStart);
    return await work();
  } finally {
    await database.close();
  }
}
