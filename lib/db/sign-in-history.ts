import 'server-only';
import { queryRows } from './client';

/**
 * Where a user was seen signing in (or signing up) since `since`, up to `before`: the IP
 * address and User-Agent of their successful sign-in audit events and of their account's
 * creation, and of their live sessions. Newest first, at most `limit` of each. One statement,
 * through the driver: it runs on every sign-in.
 */
export function recentSignInPlaces(userId: string, since: Date, before: Date, limit = 100) {
  return queryRows<{ ip: string | null; userAgent: string | null }>(
    'optare.recent_sign_in_places',
    `(SELECT "ip", "user_agent" AS "userAgent" FROM "audit_events"
       WHERE "actor_user_id" = $1::uuid AND "outcome" = 'success' AND "created_at" >= $2 AND "created_at" < $3
         AND "type" IN ('auth.sign_in', 'user.created')
       ORDER BY "created_at" DESC LIMIT $4)
     UNION ALL
     (SELECT "ip", "user_agent" AS "userAgent" FROM "sessions"
       WHERE "user_id" = $1::uuid AND "created_at" < $3
       ORDER BY "created_at" DESC LIMIT $4)`,
    [userId, since, before, limit],
  );
}
