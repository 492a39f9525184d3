import 'server-only';
import { db } from './client';

/** The token_issuance_counts table: tokens issued per UTC day and client. Queries only. */

export interface TokenCountIncrement {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  clientId: string;
  count: number;
}

/**
 * Adds the counts in one statement (count = count + n for a row that exists), so that several
 * instances flushing at once each add their own share.
 */
export async function addTokenIssuanceCounts(increments: readonly TokenCountIncrement[]): Promise<void> {
  if (increments.length === 0) return;
  const days = increments.map((row) => row.day);
  const clients = increments.map((row) => row.clientId);
  const counts = increments.map((row) => row.count);
  await db().$executeRaw`
    INSERT INTO "token_issuance_counts" ("day", "client_id", "count")
    SELECT * FROM unnest(${days}::date[], ${clients}::varchar[], ${counts}::bigint[])
    ON CONFLICT ("day", "client_id") DO UPDATE SET "count" = "token_issuance_counts"."count" + EXCLUDED."count"`;
}

export interface ClientTokenTotal {
  clientId: string;
  /** The client's registered name; null when the client was deleted since. */
  name: string | null;
  count: number;
}

/** The clients that were issued the most tokens from `sinceDay` (YYYY-MM-DD, UTC) on, most first. */
export async function topClientsByTokens(sinceDay: string, limit: number): Promise<ClientTokenTotal[]> {
  const rows = await db().$queryRaw<{ client_id: string; name: string | null; total: bigint }[]>`
    SELECT t."client_id", c."name", sum(t."count")::bigint AS total
    FROM "token_issuance_counts" t
    LEFT JOIN "oauth_clients" c ON c."id" = t."client_id"
    WHERE t."day" >= ${sinceDay}::date
    GROUP BY t."client_id", c."name"
    ORDER BY total DESC, t."client_id" ASC
    LIMIT ${limit}`;
  return rows.map((row) => ({ clientId: row.client_id, name: row.name, count: Number(row.total) }));
}

/** Every row from `sinceDay` on (tests and exports). */
export async function readTokenIssuanceCounts(sinceDay: string): Promise<TokenCountIncrement[]> {
  const rows = await db().$queryRaw<{ day: string; client_id: string; count: bigint }[]>`
    SELECT to_char("day", 'YYYY-MM-DD') AS day, "client_id", "count"
    FROM "token_issuance_counts"
    WHERE "day" >= ${sinceDay}::date
    ORDER BY "day", "client_id"`;
  return rows.map((row) => ({ day: row.day, clientId: row.client_id, count: Number(row.count) }));
}
