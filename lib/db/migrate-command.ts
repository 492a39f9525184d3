import 'server-only';
import dotenv from 'dotenv';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from './open';
import { migrate } from './migrate';

/** `npm run db:migrate`: applies pending migrations to the configured database, then exits. */
export async function runMigrateCommand(): Promise<number> {
  dotenv.config({ quiet: true });
  let database;
  try {
    const config = loadConfig(process.env);
    database = await openDatabase(config, { role: 'migrate', shareWithOwner: true });
    const result = await migrate(database.url);
    console.log(
      result.applied.length > 0
        ? `Applied ${result.applied.length} migration(s): ${result.applied.join(', ')}`
        : `The database is up to date (${result.alreadyApplied} migrations applied).`,
    );
    return 0;
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `Migration failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await database?.close();
  }
}
