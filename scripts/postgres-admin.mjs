// Creating and dropping the throwaway databases that `npm test` and `npm run bench` use.
import pg from 'pg';

/** The same server URL, pointing at another database. */
export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Runs one statement (CREATE/DROP DATABASE) on its own connection. */
export async function adminQuery(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
