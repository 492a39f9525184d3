import 'server-only';
import { db } from './client';

/**
 * The admin dashboard's figures: counts and small lists, each one query served by an index.
 * Queries only; lib/admin/dashboard.ts shapes them and lib/admin/security-check.ts judges them.
 * Days are UTC days, as YYYY-MM-DD.
 */

export interface DayOutcomeCount {
  day: string;
  outcome: string;
  count: number;
}

/** auth.sign_in events from `since` on, per day and outcome (the (type, created_at) index). */
export async function countSignInsByDay(since: Date): Promise<DayOutcomeCount[]> {
  const rows = await db().$queryRaw<{ day: string; outcome: string; count: bigint }[]>`
    SELECT to_char(("created_at" AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, "outcome", count(*) AS count
    FROM "audit_events"
    WHERE "type" = 'auth.sign_in' AND "created_at" >= ${since}::timestamptz
    GROUP BY 1, 2
    ORDER BY 1, 2`;
  return rows.map((row) => ({ day: row.day, outcome: row.outcome, count: Number(row.count) }));
}

/** Enabled users, and how many of them have a second factor (a confirmed authenticator app or a passkey). */
export async function countSecondFactorAdoption(): Promise<{ users: number; withSecondFactor: number }> {
  const [row] = await db().$queryRaw<{ users: bigint; with_second_factor: bigint }[]>`
    SELECT count(*) AS users,
           count(*) FILTER (
             WHERE EXISTS (SELECT 1 FROM "totp_factors" t WHERE t."user_id" = u."id" AND t."confirmed_at" IS NOT NULL)
                OR EXISTS (SELECT 1 FROM "webauthn_credentials" w WHERE w."user_id" = u."id")
           ) AS with_second_factor
    FROM "users" u
    WHERE u."disabled_at" IS NULL`;
  return { users: Number(row?.users ?? 0), withSecondFactor: Number(row?.with_second_factor ?? 0) };
}

export interface AdminFactorRow {
  id: string;
  email: string;
  name: string;
  hasSecondFactor: boolean;
}

/** Every enabled administrator, and whether each has a second factor. */
export async function listAdminsWithFactorState(): Promise<AdminFactorRow[]> {
  const rows = await db().$queryRaw<{ id: string; email: string; name: string; has_second_factor: boolean }[]>`
    SELECT u."id", u."email", u."name",
           (EXISTS (SELECT 1 FROM "totp_factors" t WHERE t."user_id" = u."id" AND t."confirmed_at" IS NOT NULL)
            OR EXISTS (SELECT 1 FROM "webauthn_credentials" w WHERE w."user_id" = u."id")) AS has_second_factor
    FROM "users" u
    WHERE u."is_admin" AND u."disabled_at" IS NULL
    ORDER BY u."email"`;
  return rows.map((row) => ({ id: row.id, email: row.email, name: row.name, hasSecondFactor: row.has_second_factor }));
}

/** Enabled clients allowed to skip PKCE, by name. */
export function listClientsWithoutPkce(): Promise<{ id: string; name: string }[]> {
  return db().oAuthClient.findMany({ where: { enabled: true, requirePkce: false }, select: { id: true, name: true }, orderBy: { name: 'asc' } });
}

/** Live sessions at `now`: their number, and how many of them started on each day from `since` on. */
export async function countActiveSessions(now: Date, since: Date): Promise<{ total: number; byDay: { day: string; count: number }[] }> {
  const rows = await db().$queryRaw<{ day: string | null; count: bigint }[]>`
    SELECT CASE WHEN "created_at" >= ${since}::timestamptz
                THEN to_char(("created_at" AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') END AS day,
           count(*) AS count
    FROM "sessions"
    WHERE "idle_expires_at" > ${now}::timestamptz AND "absolute_expires_at" > ${now}::timestamptz
    GROUP BY 1`;
  let total = 0;
  const byDay: { day: string; count: number }[] = [];
  for (const row of rows) {
    total += Number(row.count);
    if (row.day !== null) byDay.push({ day: row.day, count: Number(row.count) });
  }
  return { total, byDay };
}

export interface ActiveApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
}

/** API keys in use at `now` (not revoked, not rotated, not expired), oldest first. */
export function listActiveApiKeys(now: Date): Promise<ActiveApiKeyRow[]> {
  return db().apiKey.findMany({
    where: { revokedAt: null, supersededAt: null, expiresAt: { gt: now } },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, prefix: true, createdAt: true },
  });
}
