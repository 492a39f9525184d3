import fs from 'node:fs';
import path from 'node:path';
import type { TestInfo } from '@playwright/test';
import pg from 'pg';

/**
 * Direct SQL on the database of the server a test's project uses, for what no API may do: make a
 * session look older than it is (time cannot be frozen in the server under test). The embedded
 * server serves its PGlite on a private Unix socket named in its data directory's lock file (as
 * the CLI finds it); the @postgres project's server uses E2E_DATABASE_URL.
 */
export async function sql<T extends pg.QueryResultRow>(testInfo: TestInfo, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl(testInfo) });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

function databaseUrl(testInfo: TestInfo): string {
  if (testInfo.project.name === 'postgres') return process.env.E2E_DATABASE_URL!;
  const lock = path.join(process.env.OPTARE_E2E_DATA_DIR!, 'embedded', 'optare.lock');
  const { socketDir } = JSON.parse(fs.readFileSync(lock, 'utf8')) as { socketDir: string };
  return `postgresql://postgres@localhost:5432/postgres?host=${encodeURIComponent(socketDir)}`;
}

/** Makes every session of the user look as if its sign-in happened `minutes` minutes earlier. */
export async function ageSessions(testInfo: TestInfo, email: string, minutes: number): Promise<void> {
  const rows = await sql(
    testInfo,
    `UPDATE sessions SET authenticated_at = authenticated_at - make_interval(mins => $2)
      WHERE user_id = (SELECT id FROM users WHERE email = $1) RETURNING id`,
    [email, minutes],
  );
  if (rows.length === 0) throw new Error(`no session of ${email} to age`);
}
