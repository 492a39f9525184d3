import 'server-only';
import { db } from './client';

/** The admin console's view of sessions: its own activity clock on the session row. */

export function findConsoleSession(id: string) {
  return db().session.findUnique({
    where: { id },
    select: {
      id: true,
      userId: true,
      amr: true,
      idleExpiresAt: true,
      absoluteExpiresAt: true,
      consoleSeenAt: true,
      user: { select: { id: true, email: true, name: true, isAdmin: true, disabledAt: true } },
    },
  });
}

/** Starts or continues the console's activity clock; false when the session is gone. */
export async function markConsoleSeen(id: string, at: Date): Promise<boolean> {
  const { count } = await db().session.updateMany({ where: { id }, data: { consoleSeenAt: at } });
  return count === 1;
}

/** Stops the console's clock: the console needs a new sign-in, the session itself lives on. */
export async function clearConsoleSeen(id: string): Promise<void> {
  await db().session.updateMany({ where: { id }, data: { consoleSeenAt: null } });
}
