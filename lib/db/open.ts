import 'server-only';
import type { Config } from '../config';
import { openEmbeddedDatabase } from './embedded';
import { connectDatabase, disconnectDatabase } from './client';

export interface OpenedDatabase {
  url: string;
  kind: 'postgres' | 'embedded';
  /** True when the embedded database belongs to another Optare process (e.g. the server). */
  shared: boolean;
  close(): Promise<void>;
}

/**
 * Connects this process to Optare's database: the configured PostgreSQL, or the embedded one
 * (owned by this process, or reached through the socket of the process that owns it).
 */
export async function openDatabase(
  config: Config,
  options: { role: string; shareWithOwner: boolean },
): Promise<OpenedDatabase> {
  if (config.database.kind === 'postgres') {
    const { url, poolSize, preparedStatements, statementTimeoutMs } = config.database;
    connectDatabase(url, poolSize, { preparedStatements, statementTimeoutMs });
    return { url: config.database.url, kind: 'postgres', shared: false, close: disconnectDatabase };
  }
  const embedded = await openEmbeddedDatabase(config.database.dataDir, options);
  // PGlite runs one statement at a time; a pool of one keeps transactions from interleaving.
  connectDatabase(embedded.url, 1);
  return {
    url: embedded.url,
    kind: 'embedded',
    shared: embedded.shared,
    close: async () => {
      await disconnectDatabase();
      await embedded.close();
    },
  };
}
