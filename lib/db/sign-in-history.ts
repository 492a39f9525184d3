import 'server-only';
import { db } from './client';

/**
 * Where a user was seen signing in (or signing up) since `since`, up to `before`: the IP
 * address and User-Agent of their successful sign-in audit events and of their account's
 * creation, and of their live sessions. Newest first, at most `limit` of each.
 */
export async function recentSignInPlaces(userId: string, since: Date, before: Date, limit = 100) {
  const [events, sessions] = await Promise.all([
    db().auditEvent.findMany({
      where: {
        actorUserId: userId,
        outcome: 'success',
        createdAt: { gte: since, lt: before },
        type: { in: ['auth.sign_in', 'user.created'] },
      },
      orderBy: { createdAt: 'desc' },
      take: limit,
      select: { ip: true, userAgent: true },
    }),
    db().session.findMany({
      where: { userId, createdAt: { lt: before } },
      orderBy: { createdAt: 'desc' },
      take: limit,
      select: { ip: true, userAgent: true },
    }),
  ]);
  return [...events, ...sessions];
}
