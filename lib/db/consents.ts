import 'server-only';
import { db, queryFirstRow, queryRows } from './client';
import type { DbClient } from './users';

/**
 * The scopes a user has allowed a client, or null when the user never consented. On every
 * authorization request, so SQL through the driver (prepared on PostgreSQL).
 */
export async function findConsentScopes(userId: string, clientId: string): Promise<string[] | null> {
  const row = await queryFirstRow<{ scopes: string[] }>(
    'optare.consent_scopes',
    `SELECT coalesce("scopes", '{}') AS "scopes" FROM "consents" WHERE "user_id" = $1::uuid AND "client_id" = $2`,
    [userId, clientId],
  );
  return row ? row.scopes : null;
}

/**
 * Adds scopes to what the user allowed the client (the union of old and new), in one statement,
 * so two concurrent approvals cannot lose each other's scopes.
 */
export async function addConsentScopes(userId: string, clientId: string, scopes: string[]): Promise<void> {
  await queryRows(
    'optare.add_consent_scopes',
    `INSERT INTO consents (user_id, client_id, scopes, created_at, updated_at)
     VALUES ($1::uuid, $2, $3::text[], now(), now())
     ON CONFLICT (user_id, client_id) DO UPDATE
       SET scopes = ARRAY(
             SELECT DISTINCT s FROM unnest(coalesce(consents.scopes, '{}') || EXCLUDED.scopes) AS s ORDER BY s
           ),
           updated_at = now()`,
    [userId, clientId, scopes],
  );
}

/** The apps the user has consented to, with the client's name; most recently updated first. */
export function listUserConsents(userId: string) {
  return db().consent.findMany({
    where: { userId },
    orderBy: [{ updatedAt: 'desc' }, { clientId: 'asc' }],
    select: { clientId: true, scopes: true, createdAt: true, updatedAt: true, client: { select: { name: true } } },
  });
}

/** Deletes the user's consent to one client; false when there was none. */
export async function deleteConsent(userId: string, clientId: string, client: DbClient = db()): Promise<boolean> {
  const { count } = await client.consent.deleteMany({ where: { userId, clientId } });
  return count === 1;
}

/**
 * Replaces the scopes the user allowed the client with `after`, only if they are still exactly
 * `before` (compare-and-set: a consent approved meanwhile is not overwritten). False when the
 * consent is gone or changed.
 */
export async function replaceConsentScopes(userId: string, clientId: string, before: string[], after: string[], client: DbClient = db()): Promise<boolean> {
  const { count } = await client.consent.updateMany({ where: { userId, clientId, scopes: { equals: before } }, data: { scopes: after } });
  return count === 1;
}
