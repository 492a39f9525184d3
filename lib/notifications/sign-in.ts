import 'server-only';
import type { AuditContext } from '../audit/events';
import { logger } from '../log/logger';
import { isNewDevice } from './new-device';
import { notifySecurityEvent } from './security-events';

/** After a completed sign-in: an email when it came from a new device (lib/notifications/new-device.ts). Never throws. */
export async function noticeSignIn(userId: string, amr: readonly string[], context: AuditContext, now = new Date()): Promise<void> {
  try {
    if (await isNewDevice(userId, context, now)) await notifySecurityEvent(userId, 'new_sign_in', context, { method: amr.join(', ') });
  } catch (error) {
    logger().error({ err: error instanceof Error ? { name: error.name, message: error.message } : String(error) }, 'sign-in notice failed');
  }
}
