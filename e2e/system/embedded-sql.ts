import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/**
 * Runs `work` with a PostgreSQL client on the embedded database of a running server, reached
 * the way Optare's CLI reaches it: through the private socket named in the data directory's
 * lock file. For tests that read what the server wrote (audit events, users).
 */
export async function withEmbeddedSql<T>(dataDir: string, work: (sql: pg.Client) => Promise<T>): Promise<T> {
  const owner = JSON.parse(fs.readFileSync(path.join(dataDir, 'optare.lock'), 'utf8')) as { socketDir: string };
  const sql = new pg.Client({ connectionString: `postgresql://postgres@localhost:5432/postgres?host=${encodeURIComponent(owner.socketDir)}` });
  await sql.connect();
  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}
