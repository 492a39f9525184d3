import 'server-only';
import type { AuditContext } from '../audit/events';
import { getConfig } from '../config';
import { findUserEmailState } from '../db/email-tokens';
import { describeUserAgent } from '../auth/user-agent';
import { sendEmailInBackground } from '../email/send';
import { securityNotification, type SecurityEvent } from '../email/messages';
import { logger } from '../log/logger';

export type { SecurityEvent } from '../email/messages';

/** Labels for the `details` keys callers pass; other keys are shown as they are. */
const DETAIL_LABELS: Record<string, string> = { method: 'Method', via: 'How', sessionsEnded: 'Other sessions signed out' };

/**
 * Tells the user about a security event on their account by email (sent in the background).
 * Callers call it after the change committed. It never throws into the caller: a failure (the
 * user gone, the database or the mail server down) is logged. `details` carries small,
 * secret-free facts (e.g. the count of sessions ended).
 */
export async function notifySecurityEvent(
  userId: string,
  event: SecurityEvent,
  context: AuditContext,
  details?: Record<string, string>,
): Promise<void> {
  try {
    const user = await findUserEmailState(userId);
    if (!user || user.disabledAt) return;
    const { browser, os } = describeUserAgent(context.userAgent);
    const facts: [string, string][] = [
      ['When', new Date().toUTCString()],
      ['Browser', `${browser} on ${os}`],
      ['IP address', context.ip ?? 'unknown'],
      ...Object.entries(details ?? {}).map(([key, value]): [string, string] => [DETAIL_LABELS[key] ?? key, value]),
    ];
    sendEmailInBackground(securityNotification(user.email, event, facts, `${getConfig().issuer}/account`), 'security_notification');
  } catch (error) {
    logger().error({ event, err: error instanceof Error ? { name: error.name, message: error.message } : String(error) }, 'security notification failed');
  }
}
